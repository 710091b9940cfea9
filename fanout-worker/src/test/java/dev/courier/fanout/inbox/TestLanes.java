package dev.courier.fanout.inbox;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

/** For an {@link InboxListener} built by hand, without a container: its group lane never yields. */
final class TestLanes {

    private TestLanes() {}

    static GroupLaneYield off() {
        return new GroupLaneYield(
                () -> null,
                new SimpleAsyncTaskScheduler(),
                Duration.ZERO,
                Duration.ofMillis(10),
                new SimpleMeterRegistry());
    }
}
