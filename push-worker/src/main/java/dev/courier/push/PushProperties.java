package dev.courier.push;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the push-worker. Every provider is off until configured; the webhook is on once its URL is set. Secrets
 * come from environment variables ({@code COURIER_PUSH_WEBHOOK_SECRET}, {@code COURIER_PUSH_APNS_SIGNING_KEY},
 * {@code COURIER_PUSH_FCM_SERVICE_ACCOUNT}).
 *
 * @param coalesce at most one push per device in this time, carrying the newest seq
 * @param preview whether a push carries the sender's display name and the first 100 characters of a text
 * @param maxAge a candidate older than this (a worker far behind) is dropped: its push is no longer due
 * @param concurrency consumer threads of {@code courier.push} in this instance
 * @param retry how passing failures of a provider (429, 5xx, unreachable) are retried
 */
@ConfigurationProperties("courier.push")
public record PushProperties(
        @DefaultValue("1s") Duration coalesce,
        @DefaultValue("false") boolean preview,
        @DefaultValue("1h") Duration maxAge,
        @DefaultValue("1") int concurrency,
        @DefaultValue Retry retry,
        @DefaultValue Webhook webhook,
        @DefaultValue Apns apns,
        @DefaultValue Fcm fcm) {

    public PushProperties {
        if (coalesce.isNegative()) {
            throw new IllegalArgumentException("courier.push.coalesce must not be negative");
        }
    }

    /**
     * @param initialInterval the pause before the first retry
     * @param multiplier how much each pause grows
     * @param maxInterval the longest pause (a provider's {@code Retry-After} may ask for more)
     * @param maxElapsed how long a push is retried before it goes to {@code courier.push.dlt}; it covers a provider
     *        outage of this length
     */
    public record Retry(
            @DefaultValue("1s") Duration initialInterval,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("30s") Duration maxInterval,
            @DefaultValue("5m") Duration maxElapsed) {

        /** The pause before retry number {@code retry} (1 for the first). */
        Duration pause(int retry) {
            double millis = initialInterval.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
            return Duration.ofMillis((long) Math.min(maxInterval.toMillis(), millis));
        }
    }

    /**
     * @param url where pushes are POSTed; unset: the webhook is off
     * @param secret the HMAC-SHA256 key of {@code Courier-Signature} (required with a URL)
     * @param timeout how long an answer is waited for (then the push is retried)
     */
    public record Webhook(
            @Nullable String url,
            @Nullable String secret,
            @DefaultValue("10s") Duration timeout) {

        boolean enabled() {
            return url != null && !url.isBlank();
        }
    }

    /**
     * @param keyId the key id of the APNs signing key; unset: APNs is off
     * @param teamId the Apple developer team id
     * @param signingKey the signing key's PKCS#8 PEM text (the {@code .p8} file's content)
     * @param topic the app's bundle id
     * @param server APNs' host and port ({@code api.push.apple.com:443}; {@code api.sandbox.push.apple.com:443} for
     *        development builds)
     * @param trustedCertificate a PEM file of the certificates to trust for the server instead of the JDK's (tests,
     *        a proxy)
     * @param expiration how long APNs keeps trying to deliver a push to a device that is off
     */
    public record Apns(
            @Nullable String keyId,
            @Nullable String teamId,
            @Nullable String signingKey,
            @Nullable String topic,
            @DefaultValue("api.push.apple.com:443") String server,
            @Nullable String trustedCertificate,
            @DefaultValue("1d") Duration expiration) {

        boolean enabled() {
            return keyId != null && !keyId.isBlank();
        }
    }

    /**
     * @param serviceAccount the service account's JSON key text; unset: FCM is off
     * @param projectId the Firebase project (default: the service account's)
     * @param endpoint FCM's base URL
     * @param tokenUri where the service account's grant is exchanged (default: the account's {@code token_uri})
     * @param timeout how long an answer is waited for
     */
    public record Fcm(
            @Nullable String serviceAccount,
            @Nullable String projectId,
            @DefaultValue("https://fcm.googleapis.com") URI endpoint,
            @Nullable String tokenUri,
            @DefaultValue("10s") Duration timeout) {

        boolean enabled() {
            return serviceAccount != null && !serviceAccount.isBlank();
        }
    }
}
