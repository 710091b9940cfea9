package dev.courier.web;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whether a token's device is still signed in ({@link KnownDevices}), over REST and at the WebSocket handshake, with the
 * database up and with it unreachable: a valid signature alone never lets a signed-out device in.
 */
class DeviceCheckIntegrationTests {

    /** The fail-fast pause after a failed check is shorter than this: the next check asks the database again. */
    private static final Duration PAST_FAIL_FAST = Duration.ofSeconds(5);

    @AfterEach
    void databaseBack() {
        TestWeb.database().restore();
        TestWeb.clock().advance(PAST_FAIL_FAST);
        awaitDatabaseBack();
    }

    /** The connection pool takes a moment to connect again after a cut: until then, checks still fail. */
    private static void awaitDatabaseBack() {
        String probe = TestWeb.signedIn(TestWeb.uniqueId("probe"), "phone");
        await().atMost(Duration.ofSeconds(30)).until(() -> TestWeb.me(probe).status() == 200);
    }

    @Test
    void signedInDeviceIsAcceptedAndSignedOutDeviceRefusedWith401WhileTheDatabaseIsUp() {
        String signedIn = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");
        String signedOut = TestWeb.token(TestWeb.uniqueId("u"), "phone");

        assertThat(TestWeb.me(signedIn).status()).isEqualTo(200);
        assertThat(TestWeb.handshake(signedIn).status()).isEqualTo(101);
        TestWeb.Answer rest = TestWeb.me(signedOut);
        assertThat(rest.status()).isEqualTo(401);
        assertThat(code(rest)).isEqualTo("unauthenticated");
        TestWeb.Answer handshake = TestWeb.handshake(signedOut);
        assertThat(handshake.status()).isEqualTo(401);
        assertThat(code(handshake)).isEqualTo("unauthenticated");
    }

    @Test
    void signedOutDeviceIsAnswered503UnavailableWithRetryAfterWhileTheDatabaseIsUnreachable() {
        String signedOut = TestWeb.token(TestWeb.uniqueId("u"), "phone");
        TestWeb.database().cut();

        TestWeb.Answer rest = TestWeb.me(signedOut);
        assertThat(rest.status()).as(rest.body()).isEqualTo(503);
        assertThat(rest.header("Content-Type")).startsWith("application/problem+json");
        assertThat(code(rest)).isEqualTo("unavailable");
        assertThat(rest.header("Retry-After")).isNotNull();
        // again at once: the database is not asked for every request of an outage, the answer stays 503
        assertThat(TestWeb.me(signedOut).status()).isEqualTo(503);
    }

    @Test
    void webSocketHandshakeOfADeviceThatCannotBeCheckedIsRefusedWith503Problem() {
        String signedOut = TestWeb.token(TestWeb.uniqueId("u"), "phone");
        TestWeb.database().cut();

        TestWeb.Answer handshake = TestWeb.handshake(signedOut);
        assertThat(handshake.status()).as(handshake.body()).isEqualTo(503);
        assertThat(handshake.header("Content-Type")).startsWith("application/problem+json");
        assertThat(code(handshake)).isEqualTo("unavailable");
        assertThat(handshake.header("Retry-After")).isNotNull();
        assertThat(handshake.header("WWW-Authenticate")).isNull();
    }

    @Test
    void deviceCheckedWithinTheCacheWindowIsStillAcceptedDuringTheOutage() {
        String token = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");
        assertThat(TestWeb.me(token).status()).isEqualTo(200);
        TestWeb.database().cut();
        TestWeb.clock().advance(TestWeb.DEVICE_CHECK_CACHE.minusSeconds(2));

        assertThat(TestWeb.me(token).status()).isEqualTo(200);
        assertThat(TestWeb.handshake(token).status()).isEqualTo(101);
    }

    @Test
    void deviceLastCheckedLongerAgoThanTheCacheWindowIsAnswered503DuringTheOutage() {
        String token = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");
        assertThat(TestWeb.me(token).status()).isEqualTo(200);
        TestWeb.database().cut();
        TestWeb.clock().advance(TestWeb.DEVICE_CHECK_CACHE.plusSeconds(1));

        TestWeb.Answer rest = TestWeb.me(token);
        assertThat(rest.status()).as(rest.body()).isEqualTo(503);
        assertThat(code(rest)).isEqualTo("unavailable");
        assertThat(TestWeb.handshake(token).status()).isEqualTo(503);
    }

    @Test
    void checksResumeOnceTheDatabaseIsBack() {
        String signedIn = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");
        String signedOut = TestWeb.token(TestWeb.uniqueId("u"), "phone");
        TestWeb.database().cut();
        assertThat(TestWeb.me(signedIn).status()).isEqualTo(503);

        TestWeb.database().restore();
        TestWeb.clock().advance(PAST_FAIL_FAST);
        awaitDatabaseBack();
        assertThat(TestWeb.me(signedIn).status()).isEqualTo(200);
        assertThat(TestWeb.me(signedOut).status()).isEqualTo(401);
    }

    private static String code(TestWeb.Answer answer) {
        JsonNode body = Json.MAPPER.readTree(answer.body());
        return body.path("code").asString();
    }
}
