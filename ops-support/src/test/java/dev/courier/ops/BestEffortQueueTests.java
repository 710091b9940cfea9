package dev.courier.ops;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BestEffortQueueTests {

    private final MeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void runsTasksInOrderAndCountsTheirItems() {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        try (BestEffortQueue queue =
                new BestEffortQueue("test.hints", "not published", 10, meters, Clock.systemUTC())) {
            for (int i = 0; i < 5; i++) {
                int n = i;
                queue.submit(3, () -> ran.add(n));
            }
            await().until(() -> count("published") == 15);
        }
        assertThat(ran).containsExactly(0, 1, 2, 3, 4);
        assertThat(count("failed")).isZero();
        assertThat(count("dropped")).isZero();
    }

    @Test
    void dropsAndCountsWhatFindsTheQueueFullWhileATaskIsStuck() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (BestEffortQueue queue = new BestEffortQueue("test.hints", "not published", 4, meters, Clock.systemUTC())) {
            queue.submit(1, () -> {
                stuck.countDown();
                awaitQuietly(release);
            });
            stuck.await();
            for (int i = 0; i < 10; i++) {
                queue.submit(2, () -> {});
            }

            assertThat(meters.get("test.hints.queued").gauge().value()).isEqualTo(4);
            assertThat(count("dropped")).isEqualTo(12);
            release.countDown();
            await().until(() -> count("published") == 1 + 8);
            assertThat(meters.get("test.hints.queued").gauge().value()).isZero();
        }
    }

    @Test
    void countsAFailedTaskAndGoesOn() {
        try (BestEffortQueue queue = new BestEffortQueue("test.hints", "not published", 4, meters, Clock.systemUTC())) {
            queue.submit(5, () -> {
                throw new IllegalStateException("Redis is down");
            });
            queue.submit(1, () -> {});
            await().until(() -> count("published") == 1);
        }
        assertThat(count("failed")).isEqualTo(5);
    }

    private double count(String result) {
        return meters.get("test.hints").tag("result", result).counter().count();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
