package dev.courier.push.provider;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How each answer of APNs is read (Apple's documented status codes and reasons). */
class ApnsOutcomeTests {

    @Test
    void eachAnswerOfApnsIsDeliveredUnregisteredRetriedOrRefused() {
        assertThat(ApnsProvider.outcome(response(200, null))).isInstanceOf(Outcome.Delivered.class);
        assertThat(ApnsProvider.outcome(response(410, "Unregistered"))).isInstanceOf(Outcome.Unregistered.class);
        assertThat(ApnsProvider.outcome(response(400, "BadDeviceToken"))).isInstanceOf(Outcome.Unregistered.class);
        assertThat(ApnsProvider.outcome(response(400, "DeviceTokenNotForTopic")))
                .isInstanceOf(Outcome.Unregistered.class);
        assertThat(ApnsProvider.outcome(response(429, "TooManyRequests"))).isInstanceOf(Outcome.Retry.class);
        assertThat(ApnsProvider.outcome(response(500, "InternalServerError"))).isInstanceOf(Outcome.Retry.class);
        assertThat(ApnsProvider.outcome(response(503, "ServiceUnavailable"))).isInstanceOf(Outcome.Retry.class);
        assertThat(ApnsProvider.outcome(response(400, "PayloadTooLarge"))).isInstanceOf(Outcome.Refused.class);
        assertThat(ApnsProvider.outcome(response(403, "InvalidProviderToken"))).isInstanceOf(Outcome.Refused.class);
    }

    private static PushNotificationResponse<SimpleApnsPushNotification> response(int status, String reason) {
        return new PushNotificationResponse<>() {
            @Override
            public SimpleApnsPushNotification getPushNotification() {
                return new SimpleApnsPushNotification("t", "topic", "{}");
            }

            @Override
            public boolean isAccepted() {
                return status == 200;
            }

            @Override
            public UUID getApnsId() {
                return UUID.randomUUID();
            }

            @Override
            public int getStatusCode() {
                return status;
            }

            @Override
            public Optional<String> getRejectionReason() {
                return Optional.ofNullable(reason);
            }

            @Override
            public Optional<Instant> getTokenInvalidationTimestamp() {
                return Optional.empty();
            }
        };
    }
}
