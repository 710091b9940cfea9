package dev.courier.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.courier.common.Hints;

/**
 * Tells a user's devices that their account or contacts changed ({@code PUBLISH courier:hint:<userId> account}).
 * Best effort: the change is already committed, so a lost hint only delays it to the next sync; Redis being down never
 * fails the request.
 */
@Component
public class HintPublisher {

    private static final Logger log = LoggerFactory.getLogger(HintPublisher.class);

    private final StringRedisTemplate redis;

    HintPublisher(StringRedisTemplate redis) {
        this.redis = redis;
    }

    public void changed(String userId, String what) {
        Thread.startVirtualThread(() -> {
            try {
                redis.convertAndSend(Hints.channel(userId), what);
            } catch (RuntimeException e) {
                log.debug("Hint for {} not published: {}", userId, e.toString());
            }
        });
    }
}
