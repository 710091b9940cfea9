package dev.courier.push.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;

import static org.assertj.core.api.Assertions.assertThat;

/** What each provider is told with and without a preview, and how {@code Retry-After} is read. */
class PayloadsTests {

    private static final Push PLAIN = new Push("bob", "phone", "apns", "t0", 7, 3, "d:alice:bob", "m1", null);

    private static final Push PREVIEWED = new Push(
            "bob", "phone", "apns", "t0", 7, 3, "d:alice:bob", "m1", new Push.Preview("Alice", "see you at 8"));

    @Test
    void apnsAlertsWithoutContentUnlessPreviewed() {
        JsonNode plain = Json.MAPPER.readTree(ApnsProvider.payload(PLAIN));
        assertThat(plain.path("aps").path("badge").asInt()).isEqualTo(3);
        assertThat(plain.path("aps").path("alert").path("body").asString()).isEqualTo("New message");
        assertThat(plain.path("aps").path("alert").has("title")).isFalse();
        assertThat(plain.path("seq").asLong()).isEqualTo(7);
        JsonNode previewed = Json.MAPPER.readTree(ApnsProvider.payload(PREVIEWED));
        assertThat(previewed.path("aps").path("alert").path("title").asString()).isEqualTo("Alice");
        assertThat(previewed.path("aps").path("alert").path("body").asString()).isEqualTo("see you at 8");
    }

    @Test
    void fcmCarriesDataAlwaysAndANotificationOnlyWhenPreviewed() {
        JsonNode plain = Json.MAPPER.readTree(FcmProvider.body(PLAIN)).path("message");
        assertThat(plain.path("token").asString()).isEqualTo("t0");
        assertThat(plain.path("data").path("seq").asString()).isEqualTo("7");
        assertThat(plain.path("data").path("badge").asString()).isEqualTo("3");
        assertThat(plain.has("notification")).isFalse();
        JsonNode previewed = Json.MAPPER.readTree(FcmProvider.body(PREVIEWED)).path("message");
        assertThat(previewed.path("notification").path("title").asString()).isEqualTo("Alice");
        assertThat(previewed.path("notification").path("body").asString()).isEqualTo("see you at 8");
    }

    @Test
    void theWebhookBodyIsTheContractsFieldsAndNeverAPreview() {
        assertThat(new String(WebhookProvider.body(PREVIEWED), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"userId\":\"bob\",\"deviceId\":\"phone\",\"token\":\"t0\",\"seq\":7,\"badge\":3,"
                        + "\"conversation\":\"d:alice:bob\",\"messageId\":\"m1\"}");
        // a known HMAC-SHA256 (RFC 4231, test case 2)
        assertThat(WebhookProvider.signature(
                        "Jefe".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
        assertThat(RetryAfter.parse("5", clock)).isEqualTo(Duration.ofSeconds(5));
        assertThat(RetryAfter.parse("Sat, 21 Nov 2026 10:00:30 GMT", clock)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Sat, 21 Nov 2026 09:00:00 GMT", clock)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("-1", clock)).isNull();
        assertThat(RetryAfter.parse("soon", clock)).isNull();
    }
}
