package dev.courier.push.provider;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;

import dev.courier.common.PushTokens;

/**
 * The {@code apns} provider: Apple's push service over HTTP/2 with token authentication (a JWT signed with the team's
 * key, which Pushy's {@link ApnsClient} renews), one alert push per device. Without a preview the alert says only that
 * there is a new message; the payload carries {@code seq}, {@code conversation} and {@code messageId} beside
 * {@code aps.badge}. {@code Unregistered}, {@code BadDeviceToken}, {@code DeviceTokenNotForTopic} and 410 mean the
 * token is no longer valid; 429 and
 * 5xx, and a failure to reach APNs, are retried.
 */
public final class ApnsProvider implements PushProvider, AutoCloseable {

    /**
     * APNs' reasons that mean the token will never work again (for this app): {@code DeviceTokenNotForTopic} too, a
     * token of another app or environment, as Matrix's Sygnal treats it.
     */
    static final Set<String> INVALID_TOKEN_REASONS = Set.of("Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic");

    private final ApnsClient client;

    private final String topic;

    private final Duration expiration;

    private final Clock clock;

    public ApnsProvider(ApnsClient client, String topic, Duration expiration, Clock clock) {
        this.client = client;
        this.topic = topic;
        this.expiration = expiration;
        this.clock = clock;
    }

    @Override
    public String name() {
        return PushTokens.APNS;
    }

    /** The JSON payload of a push. */
    static String payload(Push push) {
        SimpleApnsPayloadBuilder payload = new SimpleApnsPayloadBuilder();
        payload.setBadgeNumber((int) Math.min(Integer.MAX_VALUE, push.badge()));
        Push.Preview preview = push.preview();
        if (preview != null) {
            payload.setAlertTitle(preview.sender());
            if (preview.text() != null) {
                payload.setAlertBody(preview.text());
            }
        } else {
            payload.setAlertBody("New message");
        }
        payload.setSound("default");
        payload.setMutableContent(true);
        payload.addCustomProperty("seq", push.seq());
        payload.addCustomProperty("conversation", push.conversation());
        payload.addCustomProperty("messageId", push.messageId());
        return payload.build();
    }

    @Override
    public CompletableFuture<Outcome> send(Push push) {
        SimpleApnsPushNotification notification = new SimpleApnsPushNotification(
                push.token(),
                topic,
                payload(push),
                clock.instant().plus(expiration),
                DeliveryPriority.IMMEDIATE,
                PushType.ALERT,
                // a newer push of the device's conversation replaces an older one on the device
                push.conversation().length() <= 64 ? push.conversation() : null);
        try {
            return client.sendNotification(notification).handle((response, failure) -> {
                if (failure != null) {
                    return new Outcome.Retry("APNs unreachable: " + failure, null);
                }
                return outcome(response);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Outcome.Retry("APNs unreachable: " + e, null));
        }
    }

    static Outcome outcome(PushNotificationResponse<?> response) {
        if (response.isAccepted()) {
            return new Outcome.Delivered();
        }
        int status = response.getStatusCode();
        String reason = response.getRejectionReason().orElse("");
        String detail = "APNs answered " + status + (reason.isEmpty() ? "" : " " + reason);
        if (status == 410 || INVALID_TOKEN_REASONS.contains(reason)) {
            return new Outcome.Unregistered(detail);
        }
        if (status == 429 || status >= 500) {
            return new Outcome.Retry(detail, null);
        }
        return new Outcome.Refused(detail);
    }

    @Override
    public void close() {
        client.close();
    }
}
