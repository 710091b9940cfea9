package dev.courier.fanout.inbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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

    /** The yields' timers, run by the tests themselves. */
    private final List<Runnable> timers = new ArrayList<>();

    private final SimpleAsyncTaskScheduler manual = new SimpleAsyncTaskScheduler() {
        @Override
        public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
            timers.add(task);
            return new ScheduledFutureTask<>(task, null);
        }
    };

    @AfterEach
    void stop() {
        scheduler.close();
        manual.close();
    }

    @Test
    void afterEachGroupBatchTheGroupLaneWaitsAtMostItsYield() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container,
                scheduler,
                Duration.ofMillis(200),
                Duration.ZERO,
                Duration.ofMinutes(1),
                new SimpleMeterRegistry());

        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.empty());

        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);
        await().atMost(Duration.ofSeconds(5)).until(container.paused::isEmpty);
    }

    @Test
    void theGroupLaneGoesOnOnceABatchOfDirectEntriesLeavesTheDirectLaneCaughtUp() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container,
                scheduler,
                Duration.ofMinutes(1),
                Duration.ZERO,
                Duration.ofMinutes(1),
                new SimpleMeterRegistry());
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(0));
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(2));
        assertThat(container.paused).as("direct entries still waiting").isNotEmpty();

        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(0));

        assertThat(container.paused).isEmpty();
    }

    @Test
    void theTimerOfAPauseThatEndedEarlyDoesNotCutTheNextPauseShort() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container,
                manual,
                Duration.ofMinutes(1),
                Duration.ZERO,
                Duration.ofMinutes(1),
                new SimpleMeterRegistry());
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(0));
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(0));
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(0));
        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);

        timers.get(0).run();
        assertThat(container.paused).as("the first pause's timer").containsExactlyInAnyOrderElementsOf(groupPartitions);

        timers.get(1).run();
        assertThat(container.paused).isEmpty();
    }

    @Test
    void eachConsumerThreadYieldsOnItsOwn() throws Exception {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container,
                manual,
                Duration.ofMinutes(1),
                Duration.ZERO,
                Duration.ofMinutes(1),
                new SimpleMeterRegistry());
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(0));

        // another consumer of the same listener, with partitions of its own, pauses and goes on early meanwhile
        TopicPartition otherDirect = new TopicPartition(Topics.INBOX, 5);
        TopicPartition otherGroups = new TopicPartition(Topics.INBOX_GROUPS, 5);
        List<TopicPartition> otherAssigned = List.of(otherDirect, otherGroups);
        Thread other = Thread.ofPlatform().start(() -> {
            lanes.afterBatch(List.of(otherGroups), otherAssigned, partition -> OptionalLong.of(0));
            lanes.afterBatch(List.of(otherDirect), otherAssigned, partition -> OptionalLong.of(0));
        });
        other.join();
        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);

        timers.get(0).run();
        assertThat(container.paused)
                .as("the first consumer's yield ends with its own timer")
                .isEmpty();
    }

    /** A future that is never run: the test runs the timers itself. */
    private static final class ScheduledFutureTask<V> extends FutureTask<V> implements ScheduledFuture<V> {

        ScheduledFutureTask(Runnable task, V result) {
            super(task, result);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return 0;
        }
    }

    @Test
    void aBatchOfDirectEntriesAlonePausesNothing() {
        new GroupLaneYield(
                        () -> container,
                        scheduler,
                        Duration.ofMinutes(1),
                        Duration.ZERO,
                        Duration.ofMinutes(1),
                        new SimpleMeterRegistry())
                .afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(4));

        assertThat(container.everPaused).isEmpty();
    }

    @Test
    void withoutAYieldNothingIsPaused() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container,
                scheduler,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ofMinutes(1),
                new SimpleMeterRegistry());
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(5));
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(5));

        assertThat(container.everPaused).isEmpty();
    }

    @Test
    void onlyTheGroupLaneIsEverPaused() {
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container,
                scheduler,
                Duration.ofMinutes(1),
                Duration.ZERO,
                Duration.ofMinutes(1),
                new SimpleMeterRegistry());
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(5));
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(5));

        assertThat(container.everPaused)
                .isNotEmpty()
                .allSatisfy(partition ->
                        assertThat(GroupLaneYield.isGroupLane(partition)).isTrue());
        assertThat(GroupLaneYield.isGroupLane(direct)).isFalse();
    }

    @Test
    void withNoDirectEntriesForTheQuietTheGroupLaneGoesOnAtOnceUntilDirectEntriesAreSeenAgain() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        scheduler.setClock(new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        });
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GroupLaneYield lanes = new GroupLaneYield(
                () -> container, scheduler, Duration.ofMinutes(1), Duration.ZERO, Duration.ofSeconds(2), meters);
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(0));
        assertThat(container.paused).as("the start counts as direct chat").isNotEmpty();
        lanes.afterBatch(List.of(direct), assigned, partition -> OptionalLong.of(0));

        now.set(now.get().plusSeconds(3));
        lanes.afterBatch(groupPartitions, assigned, partition -> OptionalLong.of(0));
        assertThat(container.paused).as("3 s without direct entries").isEmpty();
        assertThat(meters.counter("courier.fanout.inbox.group_lane.unyielded").count())
                .isEqualTo(1);

        // Kafka knows of direct entries waiting: the group lane yields again
        lanes.afterBatch(
                groupPartitions, assigned, partition -> OptionalLong.of(GroupLaneYield.isGroupLane(partition) ? 0 : 3));
        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);
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
