package dev.courier.fanout.inbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

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
 * behind every group record already fetched. So after a batch that wrote group records, while the consumer knows of
 * direct entries it has not written (or does not know yet whether there are any), its group partitions are paused:
 * the next polls return the direct entries, and once the direct lane is caught up (or after
 * {@code courier.fanout.inbox-writer.group-yield} at most) the group lane goes on where it stopped. With no direct
 * traffic the lag is known to be zero and the group lane never pauses. Pausing delays, it never skips: no offset moves.
 */
@Component(GroupLaneYield.BEAN)
class GroupLaneYield implements ContainerPostProcessor<String, String, AbstractMessageListenerContainer<String, String>> {

    static final String BEAN = "inboxGroupLaneYield";

    private final Supplier<@Nullable MessageListenerContainer> container;

    private final TaskScheduler scheduler;

    private final Duration yield;

    private final Duration pollTimeout;

    @Autowired
    GroupLaneYield(
            KafkaListenerEndpointRegistry registry,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            @Value("${courier.fanout.inbox-writer.group-yield:200ms}") Duration yield,
            @Value("${courier.fanout.inbox-writer.poll-timeout:10ms}") Duration pollTimeout) {
        this(() -> registry.getListenerContainer(InboxListener.ID), scheduler, yield, pollTimeout);
    }

    GroupLaneYield(
            Supplier<@Nullable MessageListenerContainer> container,
            TaskScheduler scheduler,
            Duration yield,
            Duration pollTimeout) {
        this.container = container;
        this.scheduler = scheduler;
        this.yield = yield;
        this.pollTimeout = pollTimeout;
    }

    /** A short poll timeout, so that the container soon applies a resume while its polls return nothing. */
    @Override
    public void postProcess(AbstractMessageListenerContainer<String, String> container) {
        container.getContainerProperties().setPollTimeout(pollTimeout.toMillis());
    }

    /**
     * After a batch, on the consumer's thread: pauses the consumer's group partitions when the batch wrote group
     * records and direct entries may be waiting, resumes them when the direct lane is caught up.
     *
     * @param assigned the consumer's partitions of both lanes
     * @param lag the consumer's lag of a partition, as far as it knows (empty: not known yet)
     */
    void afterBatch(boolean wroteGroupRecords, Collection<TopicPartition> assigned, Function<TopicPartition, OptionalLong> lag) {
        if (yield.isZero()) {
            return;
        }
        MessageListenerContainer inbox = container.get();
        if (inbox == null) {
            return;
        }
        List<TopicPartition> groups = new ArrayList<>();
        boolean directWaiting = false;
        for (TopicPartition partition : assigned) {
            if (isGroupLane(partition)) {
                groups.add(partition);
            } else {
                OptionalLong behind = lag.apply(partition);
                directWaiting |= behind.isEmpty() || behind.getAsLong() > 0;
            }
        }
        if (wroteGroupRecords && directWaiting) {
            groups.forEach(inbox::pausePartition);
            // at most this long, also when no direct entry comes after all
            scheduler.schedule(
                    () -> groups.forEach(inbox::resumePartition),
                    scheduler.getClock().instant().plus(yield));
        } else if (!directWaiting) {
            groups.forEach(inbox::resumePartition);
        }
    }

    static boolean isGroupLane(TopicPartition partition) {
        return partition.topic().equals(Topics.INBOX_GROUPS);
    }
}
