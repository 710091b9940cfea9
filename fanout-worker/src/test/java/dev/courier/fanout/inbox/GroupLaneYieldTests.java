package dev.courier.fanout.inbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

import dev.courier.common.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link GroupLaneYield}: after a batch with group records the writer's group partitions are paused when direct
 * entries wait, never its direct ones, and resumed once the entries that waited are handed out or after the yield;
 * with no yield configured nothing is paused.
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

    private GroupLaneYield lanes(SimpleAsyncTaskScheduler timers, Duration yield, SimpleMeterRegistry meters) {
        return new GroupLaneYield(() -> container, timers, yield, Duration.ZERO, meters);
    }

    private GroupLaneYield lanes(SimpleAsyncTaskScheduler timers, Duration yield) {
        return lanes(timers, yield, new SimpleMeterRegistry());
    }

    @Test
    void afterAGroupBatchWithDirectEntriesWaitingTheGroupLaneWaitsAtMostItsYield() {
        GroupLaneYield lanes = lanes(scheduler, Duration.ofMillis(200));

        lanes.afterBatch(groupPartitions, assigned, Offsets.caughtUp(assigned).at(direct, 10, 12));

        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);
        await().atMost(Duration.ofSeconds(5)).until(container.paused::isEmpty);
    }

    @Test
    void theGroupLaneGoesOnOnceTheDirectEntriesThatWaitedAfterItsBatchAreHandedOut() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GroupLaneYield lanes = lanes(scheduler, Duration.ofMinutes(1), meters);
        Offsets offsets = Offsets.caughtUp(assigned).at(direct, 10, 14);
        lanes.afterBatch(groupPartitions, assigned, offsets);

        // two of the four written, and more sent meanwhile: those wait for the next group batch, not these
        offsets.at(direct, 12, 20);
        lanes.afterBatch(List.of(direct), assigned, offsets);
        assertThat(container.paused).as("direct entries that waited").isNotEmpty();

        offsets.at(direct, 14, 20);
        lanes.afterBatch(List.of(direct), assigned, offsets);

        assertThat(container.paused).isEmpty();
        assertThat(meters.counter("courier.fanout.inbox.group_lane.early_resumes")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void withNoDirectEntriesWaitingTheGroupLaneGoesOnAtOnce() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GroupLaneYield lanes = lanes(scheduler, Duration.ofMinutes(1), meters);

        lanes.afterBatch(groupPartitions, assigned, Offsets.caughtUp(assigned));

        assertThat(container.everPaused).isEmpty();
        assertThat(meters.counter("courier.fanout.inbox.group_lane.unyielded").count())
                .isEqualTo(1);
    }

    @Test
    void whenTheBrokerCannotSayTheGroupLaneYieldsForItsWholeYield() {
        GroupLaneYield lanes = lanes(manual, Duration.ofMinutes(1));
        Offsets unknown = new Offsets() {
            @Override
            public Map<TopicPartition, Long> ends(Collection<TopicPartition> partitions) {
                throw new TimeoutException("no answer");
            }
        };
        lanes.afterBatch(groupPartitions, assigned, unknown);
        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);

        lanes.afterBatch(List.of(direct), assigned, Offsets.caughtUp(assigned));
        assertThat(container.paused).as("no end known to catch up with").isNotEmpty();

        timers.getFirst().run();
        assertThat(container.paused).isEmpty();
    }

    @Test
    void aPartitionTakenAwayDuringTheYieldLeavesTheEndToTheTimer() {
        GroupLaneYield lanes = lanes(manual, Duration.ofMinutes(1));
        lanes.afterBatch(groupPartitions, assigned, Offsets.caughtUp(assigned).at(direct, 0, 3));

        lanes.afterBatch(List.of(direct), assigned, new Offsets() {
            @Override
            public long position(TopicPartition partition) {
                throw new IllegalStateException("No current assignment for partition " + partition);
            }
        });
        assertThat(container.paused).isNotEmpty();

        timers.getFirst().run();
        assertThat(container.paused).isEmpty();
    }

    @Test
    void theTimerOfAPauseThatEndedEarlyDoesNotCutTheNextPauseShort() {
        GroupLaneYield lanes = lanes(manual, Duration.ofMinutes(1));
        lanes.afterBatch(groupPartitions, assigned, Offsets.caughtUp(assigned).at(direct, 0, 1));
        lanes.afterBatch(List.of(direct), assigned, Offsets.caughtUp(assigned).at(direct, 1, 1));
        assertThat(container.paused).isEmpty();
        lanes.afterBatch(groupPartitions, assigned, Offsets.caughtUp(assigned).at(direct, 1, 2));
        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);

        timers.get(0).run();
        assertThat(container.paused).as("the first pause's timer").containsExactlyInAnyOrderElementsOf(groupPartitions);

        timers.get(1).run();
        assertThat(container.paused).isEmpty();
    }

    @Test
    void eachConsumerThreadYieldsOnItsOwn() throws Exception {
        GroupLaneYield lanes = lanes(manual, Duration.ofMinutes(1));
        lanes.afterBatch(groupPartitions, assigned, Offsets.caughtUp(assigned).at(direct, 0, 1));

        // another consumer of the same listener, with partitions of its own, pauses and goes on early meanwhile
        TopicPartition otherDirect = new TopicPartition(Topics.INBOX, 5);
        TopicPartition otherGroups = new TopicPartition(Topics.INBOX_GROUPS, 5);
        List<TopicPartition> otherAssigned = List.of(otherDirect, otherGroups);
        Thread other = Thread.ofPlatform().start(() -> {
            lanes.afterBatch(List.of(otherGroups), otherAssigned, new Offsets().at(otherDirect, 0, 1));
            lanes.afterBatch(List.of(otherDirect), otherAssigned, new Offsets().at(otherDirect, 1, 1));
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
        lanes(scheduler, Duration.ofMinutes(1))
                .afterBatch(
                        List.of(direct), assigned, Offsets.caughtUp(assigned).at(direct, 0, 4));

        assertThat(container.everPaused).isEmpty();
    }

    @Test
    void withoutAYieldNothingIsPaused() {
        GroupLaneYield lanes = lanes(scheduler, Duration.ZERO);
        Offsets waiting = Offsets.caughtUp(assigned).at(direct, 0, 5);
        lanes.afterBatch(List.of(direct), assigned, waiting);
        lanes.afterBatch(groupPartitions, assigned, waiting);

        assertThat(container.everPaused).isEmpty();
        assertThat(waiting.lookups).isZero();
    }

    @Test
    void onlyTheGroupLaneIsEverPaused() {
        GroupLaneYield lanes = lanes(scheduler, Duration.ofMinutes(1));
        Offsets waiting = Offsets.caughtUp(assigned).at(direct, 0, 5);
        lanes.afterBatch(List.of(direct), assigned, waiting);
        lanes.afterBatch(groupPartitions, assigned, waiting);

        assertThat(container.everPaused)
                .isNotEmpty()
                .allSatisfy(partition ->
                        assertThat(GroupLaneYield.isGroupLane(partition)).isTrue());
        assertThat(GroupLaneYield.isGroupLane(direct)).isFalse();
    }

    @Test
    void theBrokerIsAskedOncePerGroupBatchAndNeverAfterADirectOne() {
        GroupLaneYield lanes = lanes(scheduler, Duration.ofMinutes(1));
        Offsets offsets = Offsets.caughtUp(assigned);
        lanes.afterBatch(List.of(direct), assigned, offsets);
        lanes.afterBatch(groupPartitions, assigned, offsets);
        lanes.afterBatch(groupPartitions, assigned, offsets);
        assertThat(container.everPaused).isEmpty();

        // the first direct entries after a long storm alone are yielded to after the group batch in progress
        offsets.at(direct, 10, 11);
        lanes.afterBatch(List.of(direct, groupPartitions.get(0)), assigned, offsets);
        assertThat(container.paused).containsExactlyInAnyOrderElementsOf(groupPartitions);
        assertThat(offsets.lookups).isEqualTo(3);
    }

    /** The consumer's positions and the broker's log ends of the direct partitions, set by each test. */
    private static class Offsets implements GroupLaneYield.DirectLane {

        final Map<TopicPartition, Long> ends = new ConcurrentHashMap<>();

        final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();

        int lookups;

        /** The direct lane caught up: every log ends where the consumer stands. */
        static Offsets caughtUp(List<TopicPartition> partitions) {
            Offsets offsets = new Offsets();
            partitions.forEach(partition -> offsets.at(partition, 10, 10));
            return offsets;
        }

        Offsets at(TopicPartition partition, long position, long end) {
            positions.put(partition, position);
            ends.put(partition, end);
            return this;
        }

        @Override
        public Map<TopicPartition, Long> ends(Collection<TopicPartition> partitions) {
            lookups++;
            Map<TopicPartition, Long> found = new HashMap<>();
            partitions.forEach(partition -> found.put(partition, ends.getOrDefault(partition, 0L)));
            return found;
        }

        @Override
        public long position(TopicPartition partition) {
            return positions.getOrDefault(partition, 0L);
        }
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
