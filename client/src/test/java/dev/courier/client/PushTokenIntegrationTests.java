package dev.courier.client;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SDK registers, replaces and removes this device's push token, against the real system. */
class PushTokenIntegrationTests {

    @Test
    void aDeviceRegistersReplacesAndRemovesItsOwnPushToken() throws Exception {
        TestCourier.system();
        Credentials bob = TestCourier.newUser("bob");
        Credentials laptop = new Credentials(bob.userId(), bob.password(), "laptop");
        try (CourierClient phone = TestCourier.client(bob);
                CourierClient other = TestCourier.client(laptop)) {
            phone.setPushToken("apns", "apns-token-1");
            other.setPushToken("webhook", "laptop-token");
            assertThat(tokens(bob.userId())).containsExactly("laptop webhook laptop-token", "phone apns apns-token-1");

            phone.setPushToken("fcm", "fcm:registration-token");
            assertThat(tokens(bob.userId()))
                    .containsExactly("laptop webhook laptop-token", "phone fcm fcm:registration-token");

            phone.clearPushToken();
            phone.clearPushToken();
            assertThat(tokens(bob.userId())).containsExactly("laptop webhook laptop-token");
        }
    }

    @Test
    void anUnknownProviderOrAMalformedTokenIsRefusedNamingTheField() {
        TestCourier.system();
        Credentials carol = TestCourier.newUser("carol");
        try (CourierClient client = TestCourier.client(carol)) {
            assertThatThrownBy(() -> client.setPushToken("gcm", "t"))
                    .isInstanceOfSatisfying(CourierException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo("invalid_request");
                        assertThat(e.getMessage()).contains("provider");
                    });
            assertThatThrownBy(() -> client.setPushToken("apns", "with a space"))
                    .isInstanceOfSatisfying(CourierException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.getMessage()).contains("token");
                    });
        }
        assertThat(tokens(carol.userId())).isEmpty();
    }

    /** {@code "<device> <provider> <token>"} of each of the user's stored tokens, by device. */
    private static List<String> tokens(String userId) {
        Infrastructure infrastructure = CourierInfrastructure.shared();
        try (Connection connection = DriverManager.getConnection(
                        infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT device_id, provider, token FROM device_push_tokens WHERE user_id = ? ORDER BY device_id")) {
            statement.setString(1, userId);
            List<String> tokens = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tokens.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
                }
            }
            return tokens;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
