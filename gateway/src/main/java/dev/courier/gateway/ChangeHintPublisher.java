package dev.courier.gateway;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.courier.common.Hints;
import dev.courier.ops.BestEffortQueue;

/**
 * Tells a user's devices that their account or contacts changed ({@code PUBLISH courier:hint:<userId> account}).
 * Best effort: the change is already committed, so a lost hint only delays it to the next sync. Hints are published
 * off the request's thread, in order, behind a bounded queue and dropped when it is full, so Redis being slow or down
 * never fails or holds up a request and never piles up threads. Meters: {@code courier.gateway.hints{result}} and
 * {@code courier.gateway.hints.queued}, see {@link BestEffortQueue}.
 */
@Component
public class ChangeHintPublisher implements DisposableBean {

    private final StringRedisTemplate redis;

    private final BestEffortQueue queue;

    ChangeHintPublisher(StringRedisTemplate redis, MeterRegistry meters, Clock clock) {
        this.redis = redis;
        this.queue = new BestEffortQueue(
                "courier.gateway.hints",
                "Account or contact hints not published (clients will see the change at their next sync)",
                1024,
                meters,
                clock);
    }

    public void changed(String userId, String what) {
        queue.submit(1, () -> redis.convertAndSend(Hints.channel(userId), what));
    }

    @Override
    public void destroy() {
        queue.close();
    }
}
