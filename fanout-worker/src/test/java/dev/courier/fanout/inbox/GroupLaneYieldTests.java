package dev.courier.fanout.inbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

import dev.courier.common.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link GroupLaneYield}: after a batch with group records the writer's group partitions are paused, never its direct
 * ones, and resumed once a direct batch leaves the direct lane caught up or after the yield; with no yield configured
 * nothing is paused.
 */
class GroupLaneYieldTests {

    private final SimpleAsyncTaskScheduler scheduler = new SimpleAsyncTaskScheduler();

    private final PauseRecorder container = new PauseRecorder();

    private final TopicPartition direct = new TopicPartition(Topics.INBOX, 0);

    private final List<TopicPartition> groupPartitions =
            List.of(new TopicPartition(Topics.INBOX_GROUPS, 0), new TopicPartition(Topics.INBOX_GROUPS, 3));

    private final List<TopicPartition> assigned =
            List.of(direct, new TopicPartition(Topics.INBOX, 3), groupPartitions.get(0), groupPartitions.get(1));

    @AfterEach
    void stop() {
        scheduler.close();
    }

    @Test
    void afterEachGroupBatchTheGroupLaneWaitsAtMostItsYield() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container, scheduler, Duration.ofMillis(200), Duration.ZERO, new SimpleMeterRegistry());

        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.empty());

        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);
        await().atMost(Duration.ofSeconds(5)).until(container.paused::isEmpty);
    }

    @Test
    void theGroupLaneGoesOnOnceABatchOfDirectEntriesLeavesTheDirectLaneCaughtUp() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container, scheduler, Duration.ofMinutes(1), Duration.ZERO, new SimpleMeterRegistry());
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(0));
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(2));
        assertThat(container.paused).as("direct entries still waiting").isNotEmpty();

        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(0));

        assertThat(container.paused).isEmpty();
    }

    @Test
    void aBatchOfDirectEntriesAlonePausesNothing() {
        new GroupLaneYield(() -> container, scheduler, Duration.ofMinutes(1), Duration.ZERO, new SimpleMeterRegistry())
                .afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(4));

        assertThat(container.everPaused).isEmpty();
    }

    @Test
    void withoutAYieldNothingIsPaused() {
        GroupLaneYield lanes =
                new GroupLaneYield(() -> container, scheduler, Duration.ZERO, Duration.ZERO, new SimpleMeterRegistry());
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(5));
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(5));

        assertThat(container.everPaused).isEmpty();
    }

    @Test
    void onlyTheGroupLaneIsEverPaused() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container, scheduler, Duration.ofMinutes(1), Duration.ZERO, new SimpleMeterRegistry());
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(5));
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(5));

        assertThat(container.everPaused)
                .isNotEmpty()
                .allSatisfy(partition ->
                        assertThat(GroupLaneYield.isGroupLane(partition)).isTrue());
        assertThat(GroupLaneYield.isGroupLane(direct)).isFalse();
    }

    /** A container that only records which partitions it was asked to pause. */
    private static final class PauseRecorder implements MessageListenerContainer {

        final Set<TopicPartition> paused = ConcurrentHashMap.newKeySet();

        final Set<TopicPartition> everPaused = ConcurrentHashMap.newKeySet();

        @Override
        public void pausePartition(TopicPartition partition) {
            paused.add(partition);
            everPaused.add(partition);
        }

        @Override
        public void resumePartition(TopicPartition partition) {
            paused.remove(partition);
        }

        @Override
        public boolean isPartitionPauseRequested(TopicPartition partition) {
            return paused.contains(partition);
        }

        @Override
        public void setupMessageListener(Object messageListener) {}

        @Override
        public Map<String, Map<MetricName, ? extends Metric>> metrics() {
            return Map.of();
        }

        @Override
        public void start() {}

        @Override
        public void stop() {}

        @Override
        public boolean isRunning() {
            return true;
        }
    }
}
