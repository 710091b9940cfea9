package dev.courier.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.courier.common.Presence;

/**
 * Whether a device holds a live stream or long poll now, as the sync-api instances tell it in Redis ({@link Presence}).
 * A device whose presence cannot be read is offline: losing Redis costs extra pushes, never a missed one. Meter:
 * {@code courier.push.presence.failures}.
 */
@Component
class PresenceCheck {

    private final StringRedisTemplate redis;

    private final Counter failures;

    PresenceCheck(StringRedisTemplate redis, MeterRegistry meters) {
        this.redis = redis;
        this.failures = meters.counter("courier.push.presence.failures");
    }

    boolean isPresent(String userId, String deviceId) {
        try {
            return Boolean.TRUE.equals(redis.hasKey(Presence.key(userId, deviceId)));
        } catch (RuntimeException e) {
            failures.increment();
            return false;
        }
    }
}
