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
 */
@ConfigurationProperties("courier.gateway")
public record GatewayProperties(
        @DefaultValue("16384") int maxTextBytes,
        @DefaultValue("5s") Duration sendTimeout,
        @DefaultValue("500") int maxGroupSize,
        @DefaultValue Limits limits) {

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
