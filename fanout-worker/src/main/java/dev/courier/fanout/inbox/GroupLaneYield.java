package dev.courier.fanout.inbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
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
 * behind every group record already fetched. So after each batch that wrote group records the consumer's group
 * partitions are paused: the next polls return the direct entries fetched meanwhile, and once they leave the direct
 * lane caught up (or after {@code courier.fanout.inbox-writer.group-yield} at most) the group lane goes on where it
 * stopped. The consumer's fetches wait at the broker only briefly ({@code fetch.max.wait.ms}), so a poll of the direct
 * lane alone never holds up the group lane's next fetch for long. Pausing delays, it never skips: no offset moves.
 */
@Component(GroupLaneYield.BEAN)
class GroupLaneYield
        implements ContainerPostProcessor<String, String, AbstractMessageListenerContainer<String, String>> {

    static final String BEAN = "inboxGroupLaneYield";

    private final Supplier<@Nullable MessageListenerContainer> container;

    private final TaskScheduler scheduler;

    private final Duration yield;

    private final Duration pollTimeout;

    private final Duration quiet;

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
         * When the direct lane was last seen in use (a batch wrote direct entries, or Kafka knew of some waiting); the
         * consumer's start counts as in use. Read and written on the consumer's thread only.
         */
        Instant directSeen;

        Lane(Instant start) {
            this.directSeen = start;
        }
    }

    private final Counter yields;

    private final Counter earlyResumes;

    private final Counter unyielded;

    @Autowired
    GroupLaneYield(
            KafkaListenerEndpointRegistry registry,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            @Value("${courier.fanout.inbox-writer.group-yield:20ms}") Duration yield,
            @Value("${courier.fanout.inbox-writer.poll-timeout:10ms}") Duration pollTimeout,
            @Value("${courier.fanout.inbox-writer.group-yield-quiet:2s}") Duration quiet,
            MeterRegistry meters) {
        this(() -> registry.getListenerContainer(InboxListener.ID), scheduler, yield, pollTimeout, quiet, meters);
    }

    GroupLaneYield(
            Supplier<@Nullable MessageListenerContainer> container,
            TaskScheduler scheduler,
            Duration yield,
            Duration pollTimeout,
            Duration quiet,
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
        this.quiet = quiet;
        this.lanes = ThreadLocal.withInitial(() -> new Lane(scheduler.getClock().instant()));
        this.unyielded = Counter.builder("courier.fanout.inbox.group_lane.unyielded")
                .description("group batches after which the group lane went on at once: no direct entries for a while")
                .register(meters);
    }

    /** A short poll timeout, so that the container soon applies a resume while its polls return nothing. */
    @Override
    public void postProcess(AbstractMessageListenerContainer<String, String> container) {
        container.getContainerProperties().setPollTimeout(pollTimeout.toMillis());
    }

    /**
     * After a batch, on the consumer's thread: pauses the consumer's group partitions when the batch wrote group
     * records, and resumes them once a batch of direct entries leaves the direct lane caught up, or after the yield.
     * (Whether direct entries wait cannot be known here: the consumer learns of them only by fetching, and what it
     * fetched waits behind the group records ahead of it. So the group lane always yields, for a moment.)
     *
     * @param written the partitions of the records the batch wrote
     * @param assigned the consumer's partitions of both lanes
     * @param lag the consumer's lag of a partition, as far as it knows (empty: not known)
     */
    void afterBatch(
            Collection<TopicPartition> written,
            Collection<TopicPartition> assigned,
            Function<TopicPartition, OptionalLong> lag) {
        if (yield.isZero()) {
            return;
        }
        MessageListenerContainer inbox = container.get();
        if (inbox == null) {
            return;
        }
        boolean wroteGroups = written.stream().anyMatch(GroupLaneYield::isGroupLane);
        boolean wroteDirect = !written.stream().allMatch(GroupLaneYield::isGroupLane);
        List<TopicPartition> groups = new ArrayList<>();
        boolean behind = false;
        for (TopicPartition partition : assigned) {
            if (isGroupLane(partition)) {
                groups.add(partition);
            } else {
                OptionalLong known = lag.apply(partition);
                behind |= known.isPresent() && known.getAsLong() > 0;
            }
        }
        Lane lane = lanes.get();
        Instant now = scheduler.getClock().instant();
        if (wroteDirect || behind) {
            lane.directSeen = now;
        }
        if (wroteGroups && now.isAfter(lane.directSeen.plus(quiet))) {
            // nobody chats directly on this writer's partitions: a pause would only idle the group lane (the first
            // direct entry after the quiet waits for one more group batch, and the yields start again)
            unyielded.increment();
        } else if (wroteGroups) {
            yields.increment();
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
        } else if (!behind) {
            if (groups.stream().anyMatch(inbox::isPartitionPauseRequested)) {
                earlyResumes.increment();
            }
            lane.pauses.incrementAndGet();
            groups.forEach(inbox::resumePartition);
        }
    }

    static boolean isGroupLane(TopicPartition partition) {
        return partition.topic().equals(Topics.INBOX_GROUPS);
    }
}
