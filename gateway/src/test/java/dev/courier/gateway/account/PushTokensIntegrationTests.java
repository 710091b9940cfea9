package dev.courier.gateway.account;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code PUT} and {@code DELETE /v1/devices/current/push}: a device's push token is stored, replaced, removed, gone
 * with the device's sign-out; every malformed request is a 400 problem naming the field and stores nothing.
 */
class PushTokensIntegrationTests {

    private final Api api = TestGateway.api();

    @Test
    void aDeviceSetsReplacesAndClearsItsOwnToken() {
        Api.Session alice = api.newUser("alice");
        Api.Session laptop = api.device(alice.userId(), "laptop");
        assertThat(api.setPushToken(alice, "apns", "a1b2c3").status()).isEqualTo(204);
        assertThat(api.setPushToken(laptop, "webhook", "laptop-token").status()).isEqualTo(204);
        assertThat(tokens(alice.userId())).containsExactly("laptop webhook laptop-token", "phone apns a1b2c3");

        assertThat(api.setPushToken(alice, "fcm", "fcm:registration-token").status())
                .isEqualTo(204);
        assertThat(tokens(alice.userId()))
                .as("a new token replaces the device's earlier one, of any provider")
                .containsExactly("laptop webhook laptop-token", "phone fcm fcm:registration-token");

        assertThat(api.clearPushToken(alice).status()).isEqualTo(204);
        assertThat(tokens(alice.userId())).containsExactly("laptop webhook laptop-token");
        assertThat(api.clearPushToken(alice).status())
                .as("clearing a device without a token")
                .isEqualTo(204);
    }

    @Test
    void aTokenMayHoldEveryPrintableCharacterUpTo4096OfThem() {
        Api.Session bob = api.newUser("bob");
        StringBuilder printable = new StringBuilder();
        for (char c = '!'; c <= '~'; c++) {
            printable.append(c);
        }
        assertThat(api.setPushToken(bob, "webhook", printable.toString()).status())
                .isEqualTo(204);
        assertThat(tokens(bob.userId())).containsExactly("phone webhook " + printable);
        String longest = "t".repeat(4096);
        assertThat(api.setPushToken(bob, "apns", longest).status()).isEqualTo(204);
        assertThat(tokens(bob.userId())).containsExactly("phone apns " + longest);
    }

    @Test
    void signingOutRemovesTheDevicesToken() {
        Api.Session carol = api.newUser("carol");
        Api.Session tablet = api.device(carol.userId(), "tablet");
        api.setPushToken(carol, "apns", "phone-token");
        api.setPushToken(tablet, "apns", "tablet-token");
        assertThat(api.signOut(carol).status()).isEqualTo(204);
        assertThat(tokens(carol.userId())).containsExactly("tablet apns tablet-token");
        assertProblem(api.setPushToken(carol, "apns", "again"), 401, "unauthenticated", "");
        assertThat(tokens(carol.userId())).containsExactly("tablet apns tablet-token");
    }

    @Test
    void everyMalformedRequestIsA400NamingTheFieldAndStoresNothing() {
        Api.Session dave = api.newUser("dave");
        String url = api.gateway + "/v1/devices/current/push";
        record Bad(String body, String field) {}
        for (Bad bad : List.of(
                new Bad("{\"token\":\"t\"}", "provider"),
                new Bad("{\"provider\":null,\"token\":\"t\"}", "provider"),
                new Bad("{\"provider\":\"gcm\",\"token\":\"t\"}", "provider"),
                new Bad("{\"provider\":\"APNS\",\"token\":\"t\"}", "provider"),
                new Bad("{\"provider\":\"\",\"token\":\"t\"}", "provider"),
                new Bad("{\"provider\":42,\"token\":\"t\"}", "provider"),
                new Bad("{\"provider\":[\"apns\"],\"token\":\"t\"}", "provider"),
                new Bad("{\"provider\":\"apns\"}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":null}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":\"\"}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":\"a b\"}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":\"tab\\there\"}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":\"caf\u00e9\"}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":\"del\\u007f\"}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":\"" + "t".repeat(4097) + "\"}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":1234}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":{\"t\":1}}", "token"),
                new Bad("{\"provider\":\"apns\",\"token\":\"\\ud800\"}", "token"),
                new Bad("[1,2]", "body"),
                new Bad("\"apns\"", "body"),
                new Bad("{\"provider\":\"apns\",", ""),
                new Bad("", ""))) {
            assertProblem(
                    api.call("PUT", url, dave.token(), bad.body(), "application/json"),
                    400,
                    "invalid_request",
                    bad.field());
        }
        assertThat(tokens(dave.userId())).isEmpty();
        assertProblem(
                api.call("PUT", url, dave.token(), "provider=apns&token=t", "text/plain"), 415, "invalid_request", "");
        assertProblem(
                api.call("POST", url, dave.token(), "{\"provider\":\"apns\",\"token\":\"t\"}", "application/json"),
                405,
                "invalid_request",
                "");
        assertProblem(api.call("GET", url, dave.token(), null, null), 405, "invalid_request", "");
        assertProblem(
                api.call("PUT", url, null, "{\"provider\":\"apns\",\"token\":\"t\"}", "application/json"),
                401,
                "unauthenticated",
                "");
        assertProblem(api.call("DELETE", url, null, null, null), 401, "unauthenticated", "");
        assertProblem(
                api.call("PUT", url, "not-a-token", "{\"provider\":\"apns\",\"token\":\"t\"}", "application/json"),
                401,
                "unauthenticated",
                "");
        assertProblem(
                api.call(
                        "PUT",
                        api.gateway + "/v1/devices/laptop/push",
                        dave.token(),
                        "{\"provider\":\"apns\",\"token\":\"t\"}",
                        "application/json"),
                404,
                "not_found",
                "");
        assertThat(tokens(dave.userId())).isEmpty();
    }

    /** {@code "<device> <provider> <token>"} of each of the user's tokens, by device. */
    private static List<String> tokens(String userId) {
        return TestGateway.database()
                .sql("SELECT device_id, provider, token FROM device_push_tokens WHERE user_id = ? ORDER BY device_id")
                .param(userId)
                .query((rs, n) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3))
                .list();
    }
}
