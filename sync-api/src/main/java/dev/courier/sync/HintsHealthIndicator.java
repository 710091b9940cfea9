package dev.courier.sync;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Redis, as the sync-api uses it: the pub/sub connection of push hints. Not part of readiness: without Redis, syncs and
 * long polls still work (long polls until their timeout).
 */
@Component("redisHealthIndicator")
class HintsHealthIndicator implements HealthIndicator {

    private final HintSubscriptions hints;

    HintsHealthIndicator(HintSubscriptions hints) {
        this.hints = hints;
    }

    @Override
    public Health health() {
        Health.Builder health = hints.connected() ? Health.up() : Health.down();
        return health.withDetail("subscribedUsers", hints.subscribedUsers()).build();
    }
}
