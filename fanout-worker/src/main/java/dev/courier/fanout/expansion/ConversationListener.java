package dev.courier.fanout.expansion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.InboxEntries;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.RecordByRecord;

/**
 * The expansion stage: consumes {@code courier.conversations}, stores each message once, applies membership changes in
 * log order, and writes the inbox records of its recipients (the sender included) to the conversation's lane
 * ({@code courier.inbox} or, for a group, {@code courier.inbox.groups}: {@link Topics#inboxLane}), and, for a message
 * that reached bridge identities, a {@code courier.expanded} record for the bridge outbound. Offsets are committed only
 * after the database commit and Kafka's acknowledgement of every record published.
 * <p>
 * A record that can never be applied goes to the dead-letter topic and the partition moves on: one found invalid when
 * decoded or applied, and one the database refuses for good (the batch is then applied again record by record to find
 * it). A passing failure (the database or Kafka unavailable) is retried without committing anything.
 */
@Component
@ConditionalOnBooleanProperty(name = "courier.fanout.expansion.enabled", matchIfMissing = true)
class ConversationListener {

    private final Expander expander;

    private final TransactionTemplate transactions;

    private final KafkaOperations<String, String> kafka;

    private final MeterRegistry meters;

    ConversationListener(
            Expander expander,
            TransactionTemplate transactions,
            KafkaOperations<String, String> kafka,
            MeterRegistry meters) {
        this.expander = expander;
        this.transactions = transactions;
        this.kafka = kafka;
        this.meters = meters;
    }

    @KafkaListener(
            id = "courier-fanout-expansion",
            topics = Topics.CONVERSATIONS,
            batch = "true",
            concurrency = "${courier.fanout.expansion.concurrency:1}")
    void on(List<ConsumerRecord<String, String>> records) {
        RecordByRecord.apply(
                "conversation records",
                records.stream().map(ConsumerRecord::value).toList(),
                this::apply);
    }

    /**
     * Applies the records in one transaction, then publishes what they produce. {@code offset} is the index of the
     * first of them in the consumer's batch.
     *
     * @throws BatchListenerFailedException naming the record that can never be applied (those before it are done)
     */
    private void apply(List<String> values, int offset) {
        Expander.Batch batch = expander.newBatch();
        transactions.executeWithoutResult(status -> batch.applyAll(values));
        batch.committed();
        publish(batch.outputs(), batch.bridged());
        meters.counter("courier.fanout.expansion.records")
                .increment(batch.rejectedIndex() >= 0 ? batch.rejectedIndex() : values.size());
        meters.counter("courier.fanout.expansion.entries").increment(batch.entryCount());
        Records.InvalidRecordException rejection = batch.rejection();
        if (rejection != null) {
            // the records before it are done; the error handler sends this one to the dead-letter topic
            throw new BatchListenerFailedException(rejection.getMessage(), rejection, offset + batch.rejectedIndex());
        }
    }

    /**
     * Sends the inbox records and returns once Kafka acknowledged them all; fails if any was not. One record per message
     * and inbox partition carries every recipient that partition owns (the partition Kafka's partitioner gives the
     * user id, as for a record keyed by it), so each inbox keeps exactly one writer while a message to a group of 500
     * is at most one record per partition: encoding, sending, receiving and decoding 500 records cost more than
     * writing their rows. The records go straight to the producer with one callback for all.
     */
    private void publish(List<Expander.Output> outputs, List<ExpandedMessage> bridged) {
        if (outputs.isEmpty() && bridged.isEmpty()) {
            return;
        }
        int partitions = kafka.partitionsFor(Topics.INBOX).size();
        int groupPartitions = kafka.partitionsFor(Topics.INBOX_GROUPS).size();
        if (groupPartitions != partitions) {
            // a user's records of both lanes must reach the partitions of one number, owned by one writer
            throw new IllegalStateException(
                    Topics.INBOX_GROUPS + " has " + groupPartitions + " partitions and " + Topics.INBOX + " "
                            + partitions + ": they must have as many (courier.kafka.topics.inbox-partitions)");
        }
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        // in log order: a user's records reach their partition in the order of the conversation's log
        for (Expander.Output output : outputs) {
            switch (output) {
                case Expander.Expansion expansion -> {
                    Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
                    for (String recipient : expansion.recipients()) {
                        byPartition
                                .computeIfAbsent(InboxPartitions.of(recipient, partitions), p -> new ArrayList<>())
                                .add(recipient);
                    }
                    ConversationRecord.MessagePosted message = expansion.message();
                    String lane = Topics.inboxLane(message.conversation());
                    byPartition.forEach((partition, users) -> records.add(new ProducerRecord<>(
                            lane,
                            partition,
                            users.getFirst(),
                            Records.encode(new InboxEntries(
                                    message.messageId(),
                                    message.conversation(),
                                    users,
                                    expansion.convSeq(),
                                    message.from(),
                                    message.kind())))));
                }
                case Expander.StateChange change -> {
                    String user = change.record().userId();
                    records.add(new ProducerRecord<>(
                            Topics.inboxLane(change.record().conversation()),
                            InboxPartitions.of(user, partitions),
                            user,
                            Records.encode(change.record())));
                }
            }
        }
        int inboxRecords = records.size();
        for (ExpandedMessage message : bridged) {
            records.add(new ProducerRecord<>(Topics.EXPANDED, message.conversation(), Records.encode(message)));
        }
        ProducerAcknowledgements acknowledgements = new ProducerAcknowledgements(records.size());
        kafka.execute(producer -> {
            records.forEach(record -> producer.send(record, acknowledgements));
            // the batch waits for its acknowledgements anyway: sent at once, not after linger.ms
            producer.flush();
            return records.size();
        });
        acknowledgements.await();
        meters.counter("courier.fanout.expansion.inbox.records").increment(inboxRecords);
        meters.counter("courier.fanout.expansion.bridged").increment(bridged.size());
    }

    /** Counts the acknowledgements of the records sent, keeping the first failure. */
    private static final class ProducerAcknowledgements implements Callback {

        private final CountDownLatch pending;

        private final AtomicReference<Exception> failure = new AtomicReference<>();

        ProducerAcknowledgements(int count) {
            this.pending = new CountDownLatch(count);
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
            pending.countDown();
        }

        /** Waits for every record; the producer completes each within its delivery timeout. */
        void await() {
            try {
                pending.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while waiting for Kafka to acknowledge inbox entries", e);
            }
            Exception failed = failure.get();
            if (failed != null) {
                throw new KafkaException("Kafka did not acknowledge every inbox entry: " + failed, failed);
            }
        }
    }
}
