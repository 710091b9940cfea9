package dev.courier.gateway;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway.
 *
 * @param maxTextBytes the largest text message, in bytes of UTF-8
 * @param sendTimeout how long a send waits for Kafka's acknowledgement before answering 503
 * @param maxGroupSize the most members a group may have
 * @param limits rate limits
 * @param recallWindow how long after a message was sent its sender may recall it
 * @param editWindow how long after a text message was sent its sender may edit it
 * @param reactionPattern what a reaction may be (a regular expression over the whole reaction; at most 32
 *        characters in any case): by default any short text without spaces or control characters, such as an emoji
 * @param changeTimeout how long a group or block call waits for its change to be decided at its point in the log
 *        before it answers {@code 202} (the change is in the log and takes effect there all the same)
 */
@ConfigurationProperties("courier.gateway")
public record GatewayProperties(
        @DefaultValue("16384") int maxTextBytes,
        @DefaultValue("5s") Duration sendTimeout,
        @DefaultValue("500") int maxGroupSize,
        @DefaultValue Limits limits,
        @DefaultValue("2m") Duration recallWindow,
        @DefaultValue("24h") Duration editWindow,
        @DefaultValue(DEFAULT_REACTION_PATTERN) String reactionPattern,
        @DefaultValue("5s") Duration changeTimeout) {

    public static final String DEFAULT_REACTION_PATTERN = "[^\\p{Cntrl}\\p{Space}]+";

    /**
     * @param sendBurst sends a user may make at once (the bucket's capacity)
     * @param sendsPerSecond sends per second a user may make in the long run (the refill)
     * @param failedLoginsPerUser failed logins of one user id per window before logins are refused
     * @param failedLoginsPerAddress failed logins from one client address per window
     * @param failedLoginWindow the window of failed logins
     */
    public record Limits(
            @DefaultValue("60") long sendBurst,
            @DefaultValue("10") long sendsPerSecond,
            @DefaultValue("10") long failedLoginsPerUser,
            @DefaultValue("50") long failedLoginsPerAddress,
            @DefaultValue("5m") Duration failedLoginWindow) {}
}
