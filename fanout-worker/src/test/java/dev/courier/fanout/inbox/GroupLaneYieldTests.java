package dev.courier.fanout.inbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * ones, and resumed a moment later; with no yield configured, nothing is paused.
 */
class GroupLaneYieldTests {

    private final SimpleAsyncTaskScheduler scheduler = new SimpleAsyncTaskScheduler();

    private final PauseRecorder container = new PauseRecorder();

    private final List<TopicPartition> groupPartitions =
            List.of(new TopicPartition(Topics.INBOX_GROUPS, 0), new TopicPartition(Topics.INBOX_GROUPS, 3));

    @AfterEach
    void stop() {
        scheduler.close();
    }

    @Test
    void theGroupLaneIsPausedAfterAGroupBatchAndResumedAfterItsYield() {
        GroupLaneYield lanes = new GroupLaneYield(() -> container, scheduler, Duration.ofMillis(200), Duration.ZERO);

        lanes.afterBatch(groupPartitions);

        assertThat(container.everPaused).containsExactlyInAnyOrderElementsOf(groupPartitions);
        await().atMost(Duration.ofSeconds(5)).until(container.paused::isEmpty);
    }

    @Test
    void onlyTheGroupLaneIsEverPaused() {
        assertThat(GroupLaneYield.isGroupLane(new TopicPartition(Topics.INBOX_GROUPS, 1)))
                .isTrue();
        assertThat(GroupLaneYield.isGroupLane(new TopicPartition(Topics.INBOX, 1)))
                .isFalse();
    }

    @Test
    void withoutAYieldOrGroupPartitionsNothingIsPaused() {
        new GroupLaneYield(() -> container, scheduler, Duration.ZERO, Duration.ZERO).afterBatch(groupPartitions);
        new GroupLaneYield(() -> container, scheduler, Duration.ofMillis(10), Duration.ZERO).afterBatch(List.of());

        assertThat(container.everPaused).isEmpty();
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
