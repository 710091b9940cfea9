package dev.courier.fanout.inbox;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.common.InboxRecord;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.RecordByRecord;
import dev.courier.store.ConversationRepository;
import dev.courier.store.MessageRepository;

/**
 * The inbox-writer stage: consumes {@code courier.inbox} and {@code courier.inbox.groups} (the lane of group
 * conversations), keyed by user, so each user's entries have exactly one writer
 * (the owner of the partition) which assigns the user's next {@code seq} without any shared counter. A batch is written
 * in one transaction of multi-row INSERTs; offsets are committed after it. Redelivered entries are recognised by the
 * unique {@code (user, message)} and skipped, so a crash between the database commit and the offset commit writes
 * nothing twice and never reorders. The same transaction moves each user's conversation states ({@link InboxBatch}).
 * Push hints follow the commit: the new inbox head for a user with new entries, {@code conversations} for a user
 * whose states changed without one. Then the batch's push candidates go to {@code courier.push}
 * ({@link PushCandidatePublisher}), acknowledged before the offsets are committed.
 * <p>
 * A record that can never be written goes to the dead-letter topic and the partition moves on: one found invalid when
 * decoded, and one the database refuses for good (the batch is then written again record by record to find it).
 */
@Component
@ConditionalOnBooleanProperty(name = "courier.fanout.inbox-writer.enabled", matchIfMissing = true)
class InboxListener {

    static final String ID = "courier-fanout-inbox";

    private final InboxRepository inbox;

    private final ConversationRepository conversations;

    private final MessageRepository messages;

    private final TransactionTemplate transactions;

    private final InboxHintPublisher hints;

    private final PushCandidatePublisher pushes;

    private final ObjectProvider<InboxCommitListener> commitListeners;

    private final Clock clock;

    private final MeterRegistry meters;

    private final DistributionSummary batchSizes;

    private final GroupLaneYield lanes;

    InboxListener(
            InboxRepository inbox,
            ConversationRepository conversations,
            MessageRepository messages,
            TransactionTemplate transactions,
            InboxHintPublisher hints,
            PushCandidatePublisher pushes,
            ObjectProvider<InboxCommitListener> commitListeners,
            Clock clock,
            MeterRegistry meters,
            GroupLaneYield lanes) {
        this.lanes = lanes;
        this.meters = meters;
        this.batchSizes = DistributionSummary.builder("courier.fanout.inbox.batch.size")
                .description("inbox entries per batch written")
                .publishPercentileHistogram()
                .register(meters);
        this.inbox = inbox;
        this.conversations = conversations;
        this.messages = messages;
        this.transactions = transactions;
        this.hints = hints;
        this.pushes = pushes;
        this.commitListeners = commitListeners;
        this.clock = clock;
    }

    /**
     * Both inbox lanes, in one consumer group whose range assignment gives each consumer the partitions of the same
     * numbers in both (they have as many): partition {@code p} of either lane owns the same users, so each inbox keeps
     * one writer. Polls are bounded ({@code max-poll-records}, records of the groups lane carry up to a partition's
     * share of a group's members), and after a batch with group records the group lane yields to the direct lane
     * ({@link GroupLaneYield}), so a direct entry waits for one group batch at most.
     */
    @KafkaListener(
            id = ID,
            topics = {Topics.INBOX, Topics.INBOX_GROUPS},
            batch = "true",
            concurrency = "${courier.fanout.inbox-writer.concurrency:1}",
            containerPostProcessor = GroupLaneYield.BEAN,
            properties = {
                "group.protocol=classic",
                "partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor",
                "max.poll.records=${courier.fanout.inbox-writer.max-poll-records:100}",
                "max.partition.fetch.bytes=${courier.fanout.inbox-writer.max-partition-fetch-bytes:262144}",
                // a fetch of the direct lane alone (the group lane paused) comes back soon also when it is empty
                "fetch.max.wait.ms=${courier.fanout.inbox-writer.fetch-max-wait:20}"
            })
    void onBatch(List<ConsumerRecord<String, String>> records, Consumer<?, ?> consumer) {
        try {
            on(records);
        } finally {
            lanes.afterBatch(
                    records.stream()
                            .map(record -> new TopicPartition(record.topic(), record.partition()))
                            .collect(Collectors.toSet()),
                    consumer.assignment(),
                    directLane(consumer));
        }
    }

    /** How long the writer waits for the broker to tell where the direct lane ends, after a group batch. */
    private static final Duration LANE_LOOKUP = Duration.ofMillis(500);

    private static GroupLaneYield.DirectLane directLane(Consumer<?, ?> consumer) {
        return new GroupLaneYield.DirectLane() {
            @Override
            public Map<TopicPartition, Long> ends(Collection<TopicPartition> partitions) {
                return consumer.endOffsets(partitions, LANE_LOOKUP);
            }

            @Override
            public long position(TopicPartition partition) {
                return consumer.position(partition, LANE_LOOKUP);
            }
        };
    }

    /** Writes a batch of either lane or both, in order. */
    void on(List<ConsumerRecord<String, String>> records) {
        RecordByRecord.apply("inbox records", records, this::write);
    }

    /**
     * Writes the records in one transaction, then tells the commit listeners and publishes hints. {@code offset} is
     * the index of the first record in the consumer's batch.
     *
     * @throws BatchListenerFailedException naming a record that can never be decoded (those before it are written)
     */
    private void write(List<ConsumerRecord<String, String>> records, int offset) {
        List<InboxRecord> decodedRecords = new ArrayList<>(records.size());
        Records.InvalidRecordException rejection = null;
        int decoded = 0;
        for (ConsumerRecord<String, String> record : records) {
            try {
                decodedRecords.addAll(Records.decodeInboxRecord(record.value()));
                decoded++;
            } catch (Records.InvalidRecordException e) {
                rejection = e;
                break;
            }
        }
        Timer.Sample sample = Timer.start(meters);
        InboxBatch batch = new InboxBatch(inbox, conversations, messages);
        transactions.executeWithoutResult(status -> {
            batch.apply(decodedRecords);
            batch.write(clock.millis());
        });
        long committedAt = clock.millis();
        sample.stop(meters.timer("courier.fanout.inbox.commit"));
        batchSizes.record(decodedRecords.size());
        meters.counter("courier.fanout.inbox.rows").increment(batch.rows().size());
        meters.counter("courier.fanout.inbox.duplicates").increment(batch.duplicates());
        Map<String, Long> heads = batch.newHeads();
        if (!heads.isEmpty()) {
            commitListeners.forEach(listener -> listener.committed(heads, batch.rows()));
        }
        hints.publish(heads, batch.statesOnly(), batch.groupsChanged());
        // before the offsets move: a batch that fails here is retried and publishes them again
        pushes.publish(batch.pushCandidates(committedAt));
        if (rejection != null) {
            throw new BatchListenerFailedException(rejection.getMessage(), rejection, offset + decoded);
        }
    }
}
