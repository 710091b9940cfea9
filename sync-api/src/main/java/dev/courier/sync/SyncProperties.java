package dev.courier.sync;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sync-api.
 *
 * @param keySecret HMAC secret of sync keys, shared by every sync-api instance; the default is for development only
 * @param defaultLimit messages per delta when the client names no limit
 * @param maxLimit the largest limit a client may ask for
 * @param epochRefresh how often the store's epoch is read again
 * @param hintSubscribeTimeout how long a long poll waits for Redis to confirm its hint subscription before it relies
 *        on its timeout alone
 * @param ackFlushInterval how often the device acknowledgements recorded by syncs are written to the database
 * @param retention what the retention job trims
 * @param presence how devices with a live stream or long poll are told to the push-worker
 */
@ConfigurationProperties("courier.sync")
public record SyncProperties(
        @DefaultValue(DEVELOPMENT_SECRET) String keySecret,
        @DefaultValue("100") int defaultLimit,
        @DefaultValue("500") int maxLimit,
        @DefaultValue("500") int firstConversations,
        @DefaultValue("10s") Duration epochRefresh,
        @DefaultValue("500ms") Duration hintSubscribeTimeout,
        @DefaultValue("1s") Duration ackFlushInterval,
        @DefaultValue Retention retention,
        @DefaultValue Presence presence) {

    public static final String DEVELOPMENT_SECRET = "courier-development-sync-key-secret";

    /**
     * @param period inbox rows younger than this are never trimmed
     * @param deviceInactiveAfter a device silent for longer stops holding rows back (and gets {@code resync} when it
     *        returns)
     * @param interval how often the job runs; {@code 0} switches it off
     */
    public record Retention(
            @DefaultValue("7d") Duration period,
            @DefaultValue("30d") Duration deviceInactiveAfter,
            @DefaultValue("10m") Duration interval) {}

    /**
     * @param refresh how often each held device's presence key is written again; it expires after twice this
     * @param longPollGrace how long a device counts as present after its long poll was answered: the time a client
     *        takes to poll again
     */
    public record Presence(
            @DefaultValue("10s") Duration refresh,
            @DefaultValue("2s") Duration longPollGrace) {

        public Presence {
            if (refresh.toMillis() < 100) {
                throw new IllegalArgumentException("courier.sync.presence.refresh must be at least 100ms");
            }
        }
    }
}
