package dev.courier.fanout.inbox;

import java.time.Duration;
import java.util.List;
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
 * The priority of the direct lane in the inbox writer. One consumer reads both lanes (one writer per inbox), and
 * Kafka hands a consumer its fetched data first in, first out: during a storm of group fan-out, a direct entry would
 * wait behind every group record already fetched. So after each batch that wrote group records, the writer's group
 * partitions are paused for a moment ({@code courier.fanout.inbox-writer.group-yield}): the next poll returns the
 * direct entries fetched meanwhile (or nothing, after the short poll timeout this container has), then the group lane
 * goes on where it stopped. Pausing delays, it never skips: no offset moves.
 */
@Component(GroupLaneYield.BEAN)
class GroupLaneYield
        implements ContainerPostProcessor<String, String, AbstractMessageListenerContainer<String, String>> {

    static final String BEAN = "inboxGroupLaneYield";

    private final Supplier<@Nullable MessageListenerContainer> container;

    private final TaskScheduler scheduler;

    private final Duration yield;

    private final Duration pollTimeout;

    @Autowired
    GroupLaneYield(
            KafkaListenerEndpointRegistry registry,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            @Value("${courier.fanout.inbox-writer.group-yield:10ms}") Duration yield,
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

    /** A short poll timeout, so that a poll with the group lane paused and no direct entry returns soon. */
    @Override
    public void postProcess(AbstractMessageListenerContainer<String, String> container) {
        container.getContainerProperties().setPollTimeout(pollTimeout.toMillis());
    }

    /** After a batch: yields the group partitions of the consumer that wrote it, when it wrote group records. */
    void afterBatch(List<TopicPartition> groupPartitions) {
        if (groupPartitions.isEmpty() || yield.isZero()) {
            return;
        }
        MessageListenerContainer inbox = container.get();
        if (inbox == null) {
            return;
        }
        groupPartitions.forEach(inbox::pausePartition);
        scheduler.schedule(
                () -> groupPartitions.forEach(inbox::resumePartition),
                scheduler.getClock().instant().plus(yield));
    }

    static boolean isGroupLane(TopicPartition partition) {
        return partition.topic().equals(Topics.INBOX_GROUPS);
    }
}
