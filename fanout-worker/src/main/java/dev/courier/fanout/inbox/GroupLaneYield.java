package dev.courier.fanout.inbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.config.ContainerPostProcessor;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.courier.common.Topics;
import dev.courier.ops.Background;

/**
 * The priority of the direct lane in the inbox writer. One consumer reads both lanes (one writer per inbox), and Kafka
 * hands a consumer its fetched data first in, first out: during a storm of group fan-out a direct entry would wait
 * behind every group record already fetched. So after each batch that wrote group records the writer asks the broker
 * whether direct entries wait (one round trip per group batch); if they do, the consumer's group partitions are paused until
 * every direct entry that waited then is written (or {@code courier.fanout.inbox-writer.group-yield} at most, so that
 * direct chat beyond the writer's capacity cannot starve the groups), and the group lane goes on where it stopped. The
 * consumer's fetches wait at the broker only briefly ({@code fetch.max.wait.ms}), so a poll of the direct lane alone
 * never holds up the group lane's next fetch for long. Pausing delays, it never skips: no offset moves.
 */
@Component(GroupLaneYield.BEAN)
class GroupLaneYield
        implements ContainerPostProcessor<String, String, AbstractMessageListenerContainer<String, String>> {

    static final String BEAN = "inboxGroupLaneYield";

    private final Supplier<@Nullable MessageListenerContainer> container;

    private final TaskScheduler scheduler;

    private final Duration yield;

    private final Duration pollTimeout;

    /**
     * Each consumer thread's lane state: with {@code concurrency} above 1 every consumer has its own partitions, its
     * own pauses and its own direct traffic, and must not end or prolong another's yield.
     */
    private final ThreadLocal<Lane> lanes;

    /** One consumer's yield state; the timer of a pause reads it from the scheduler's thread. */
    private static final class Lane {

        /** Counts the pauses and early resumes: a yield's timer resumes only if nothing came after its pause. */
        final AtomicLong pauses = new AtomicLong();

        /**
         * While the group lane yields: the direct partitions that had entries waiting when it paused, and where their
         * logs ended then. Read and written on the consumer's thread only.
         */
        @Nullable
        Map<TopicPartition, Long> catchUp;
    }

    private final Counter yields;

    private final Counter earlyResumes;

    private final Counter unyielded;

    @Autowired
    GroupLaneYield(
            KafkaListenerEndpointRegistry registry,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            @Value("${courier.fanout.inbox-writer.group-yield:200ms}") Duration yield,
            @Value("${courier.fanout.inbox-writer.poll-timeout:10ms}") Duration pollTimeout,
            MeterRegistry meters) {
        this(() -> registry.getListenerContainer(InboxListener.ID), scheduler, yield, pollTimeout, meters);
    }

    GroupLaneYield(
            Supplier<@Nullable MessageListenerContainer> container,
            TaskScheduler scheduler,
            Duration yield,
            Duration pollTimeout,
            MeterRegistry meters) {
        this.yields = Counter.builder("courier.fanout.inbox.group_lane.yields")
                .description("times the group lane paused for the direct lane")
                .register(meters);
        this.earlyResumes = Counter.builder("courier.fanout.inbox.group_lane.early_resumes")
                .description("times the group lane went on before its yield was over: the direct lane was caught up")
                .register(meters);
        this.container = container;
        this.scheduler = scheduler;
        this.yield = yield;
        this.pollTimeout = pollTimeout;
        this.lanes = ThreadLocal.withInitial(Lane::new);
        this.unyielded = Counter.builder("courier.fanout.inbox.group_lane.unyielded")
                .description(
                        "group batches after which the group lane went on at once: no direct entries waiting, or none assigned")
                .register(meters);
    }

    /** A short poll timeout, so that the container soon applies a resume while its polls return nothing. */
    @Override
    public void postProcess(AbstractMessageListenerContainer<String, String> container) {
        container.getContainerProperties().setPollTimeout(pollTimeout.toMillis());
    }

    /**
     * What the writer's consumer knows of its direct partitions: where the broker's log ends now (a round trip) and
     * where the consumer stands.
     */
    interface DirectLane {

        /** The broker's end offsets of the partitions, now. */
        Map<TopicPartition, Long> ends(Collection<TopicPartition> partitions);

        /** The offset of the next record the consumer hands out. */
        long position(TopicPartition partition);
    }

    /**
     * After a batch, on the consumer's thread. After a batch that wrote group records the group partitions are paused
     * if direct entries wait (the broker's log of a direct partition ends beyond the consumer's position), until the
     * consumer has handed out every direct entry that waited then, or {@code group-yield} at most. Entries sent during
     * the catch-up wait for the next group batch, not for the whole backlog of the group lane: each round of the
     * writer is one group batch, then the direct entries that came during it, so the direct lane never falls further
     * behind than one group batch while the writer can keep up with it alone.
     *
     * @param written the partitions of the records the batch wrote
     * @param assigned the consumer's partitions of both lanes
     * @param direct the consumer's offsets of its direct partitions
     */
    void afterBatch(Collection<TopicPartition> written, Collection<TopicPartition> assigned, DirectLane direct) {
        if (yield.isZero()) {
            return;
        }
        MessageListenerContainer inbox = container.get();
        if (inbox == null) {
            return;
        }
        boolean wroteGroups = written.stream().anyMatch(GroupLaneYield::isGroupLane);
        List<TopicPartition> groups = new ArrayList<>();
        List<TopicPartition> directs = new ArrayList<>();
        for (TopicPartition partition : assigned) {
            (isGroupLane(partition) ? groups : directs).add(partition);
        }
        Lane lane = lanes.get();
        if (wroteGroups) {
            if (directs.isEmpty()) {
                unyielded.increment();
                return;
            }
            Map<TopicPartition, Long> waiting = waiting(directs, direct);
            if (waiting.isEmpty()) {
                unyielded.increment();
                return;
            }
            yields.increment();
            lane.catchUp = waiting;
            groups.forEach(inbox::pausePartition);
            // the timer of this pause only: one of an earlier pause, ended early, must not cut this one short
            AtomicLong pauses = lane.pauses;
            long pause = pauses.incrementAndGet();
            scheduler.schedule(
                    () -> {
                        if (pauses.get() == pause) {
                            groups.forEach(inbox::resumePartition);
                        }
                    },
                    scheduler.getClock().instant().plus(yield));
        } else if (lane.catchUp != null && caughtUp(lane.catchUp, direct)) {
            lane.catchUp = null;
            if (groups.stream().anyMatch(inbox::isPartitionPauseRequested)) {
                earlyResumes.increment();
            }
            lane.pauses.incrementAndGet();
            groups.forEach(inbox::resumePartition);
        }
    }

    /**
     * The direct partitions whose log ends beyond the consumer's position, with those ends; all of them, with no
     * ends known, when the broker cannot say (the pause then lasts its {@code group-yield}).
     */
    private static Map<TopicPartition, Long> waiting(List<TopicPartition> directs, DirectLane direct) {
        Map<TopicPartition, Long> waiting = new HashMap<>();
        try {
            direct.ends(directs).forEach((partition, end) -> {
                if (end > direct.position(partition)) {
                    waiting.put(partition, end);
                }
            });
        } catch (RuntimeException e) {
            directs.forEach(partition -> waiting.put(partition, Long.MAX_VALUE));
        }
        return waiting;
    }

    private static boolean caughtUp(Map<TopicPartition, Long> catchUp, DirectLane direct) {
        try {
            for (Map.Entry<TopicPartition, Long> target : catchUp.entrySet()) {
                if (direct.position(target.getKey()) < target.getValue()) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            // a partition no longer assigned: the yield's timer ends the pause
            return false;
        }
    }

    static boolean isGroupLane(TopicPartition partition) {
        return partition.topic().equals(Topics.INBOX_GROUPS);
    }
}
