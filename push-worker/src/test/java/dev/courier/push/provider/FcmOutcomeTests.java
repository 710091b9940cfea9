package dev.courier.push.provider;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How each answer of FCM's HTTP v1 API is read (Google's documented status codes and FCM error codes). */
class FcmOutcomeTests {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T00:00:00Z"), ZoneOffset.UTC);

    private static final HttpHeaders NONE = HttpHeaders.of(Map.of(), (name, value) -> true);

    private static String error(int code, String status, String errorCode) {
        String details = errorCode == null
                ? ""
                : ",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\""
                        + errorCode + "\"}]";
        return "{\"error\":{\"code\":" + code + ",\"message\":\"m\",\"status\":\"" + status + "\"" + details + "}}";
    }

    private static Outcome outcome(int status, String body) {
        return FcmProvider.outcome(status, body, NONE, CLOCK);
    }

    @Test
    void eachAnswerOfFcmIsDeliveredUnregisteredRetriedOrRefused() {
        assertThat(outcome(200, "{\"name\":\"projects/p/messages/1\"}")).isInstanceOf(Outcome.Delivered.class);
        assertThat(outcome(404, error(404, "NOT_FOUND", "UNREGISTERED"))).isInstanceOf(Outcome.Unregistered.class);
        assertThat(outcome(400, error(400, "INVALID_ARGUMENT", "UNREGISTERED")))
                .isInstanceOf(Outcome.Unregistered.class);
        assertThat(outcome(401, error(401, "UNAUTHENTICATED", null))).isInstanceOf(Outcome.Retry.class);
        assertThat(outcome(429, error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")))
                .isInstanceOf(Outcome.Retry.class);
        assertThat(outcome(503, error(503, "UNAVAILABLE", "UNAVAILABLE"))).isInstanceOf(Outcome.Retry.class);
        assertThat(outcome(500, "")).isInstanceOf(Outcome.Retry.class);
        assertThat(outcome(400, error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")))
                .isInstanceOf(Outcome.Refused.class);
        assertThat(outcome(403, error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")))
                .isInstanceOf(Outcome.Refused.class);
    }

    @Test
    void a404WithoutFcmsUnregisteredIsRefusedAndKeepsTheToken() {
        for (String body : List.of("", "<html><body>Not Found</body></html>", "{\"message\":\"no route\"}")) {
            assertThat(outcome(404, body)).as(body).isEqualTo(new Outcome.Refused("FCM answered 404"));
        }
        // Google's generic answer for a path or project that does not exist
        assertThat(outcome(404, error(404, "NOT_FOUND", null)))
                .isEqualTo(new Outcome.Refused("FCM answered 404 NOT_FOUND"));
    }

    @Test
    void aRetryHonoursRetryAfter() {
        HttpHeaders retryAfter = HttpHeaders.of(Map.of("Retry-After", List.of("7")), (name, value) -> true);
        assertThat(FcmProvider.outcome(429, error(429, "RESOURCE_EXHAUSTED", null), retryAfter, CLOCK))
                .isEqualTo(new Outcome.Retry("FCM answered 429 RESOURCE_EXHAUSTED", Duration.ofSeconds(7)));
    }
}
