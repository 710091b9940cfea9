package dev.courier.testinfra.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.courier.common.AccessTokens;

import static org.awaitility.Awaitility.await;

/** Tokens a test needs that no login issues. */
public final class Tokens {

    private Tokens() {}

    /**
     * A token that expires in two seconds, signed with {@code secret}, of a device the caller signed in (unknown devices
     * are refused). Token expiry has whole-second precision, so it is issued just after a second starts: the token is
     * then valid for almost the full 2 s, not possibly only 1.
     */
    public static AccessTokens.Issued expiringInTwoSeconds(String secret, String userId, String deviceId) {
        await().atMost(Duration.ofSeconds(2))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> Instant.now().getNano() < 100_000_000);
        return new AccessTokens(secret, Duration.ofSeconds(2), Clock.systemUTC()).issue(userId, deviceId);
    }
}
