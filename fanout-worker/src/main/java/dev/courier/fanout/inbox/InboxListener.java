package dev.courier.fanout.inbox;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.common.InboxEntry;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.RecordByRecord;

/**
 * The inbox-writer stage: consumes {@code courier.inbox}, keyed by user, so each user's entries have exactly one writer
 * (the owner of the partition) which assigns the user's next {@code seq} without any shared counter. A batch is written
 * in one transaction of multi-row INSERTs; offsets are committed after it. Redelivered entries are recognised by the
 * unique {@code (user, message)} and skipped, so a crash between the database commit and the offset commit writes
 * nothing twice and never reorders. Push hints follow the commit.
 * <p>
 * A record that can never be written goes to the dead-letter topic and the partition moves on: one found invalid when
 * decoded, and one the database refuses for good (the batch is then written again record by record to find it).
 */
@Component
@ConditionalOnBooleanProperty(name = "courier.fanout.inbox-writer.enabled", matchIfMissing = true)
class InboxListener {

    private final InboxRepository inbox;

    private final TransactionTemplate transactions;

    private final InboxHintPublisher hints;

    private final ObjectProvider<InboxCommitListener> commitListeners;

    private final Clock clock;

    private final MeterRegistry meters;

    private final DistributionSummary batchSizes;

    InboxListener(
            InboxRepository inbox,
            TransactionTemplate transactions,
            InboxHintPublisher hints,
            ObjectProvider<InboxCommitListener> commitListeners,
            Clock clock,
            MeterRegistry meters) {
        this.meters = meters;
        this.batchSizes = DistributionSummary.builder("courier.fanout.inbox.batch.size")
                .description("inbox entries per batch written")
                .publishPercentileHistogram()
                .register(meters);
        this.inbox = inbox;
        this.transactions = transactions;
        this.hints = hints;
        this.commitListeners = commitListeners;
        this.clock = clock;
    }

    @KafkaListener(
            id = "courier-fanout-inbox",
            topics = Topics.INBOX,
            batch = "true",
            concurrency = "${courier.fanout.inbox-writer.concurrency:1}")
    void on(List<ConsumerRecord<String, String>> records) {
        RecordByRecord.apply("inbox records", records, this::write);
    }

    /**
     * Writes the records' entries in one transaction, then tells the commit listeners and publishes hints.
     * {@code offset} is the index of the first record in the consumer's batch.
     *
     * @throws BatchListenerFailedException naming a record that can never be decoded (those before it are written)
     */
    private void write(List<ConsumerRecord<String, String>> records, int offset) {
        List<InboxEntry> entries = new ArrayList<>(records.size());
        Records.InvalidRecordException rejection = null;
        int decoded = 0;
        for (ConsumerRecord<String, String> record : records) {
            try {
                entries.addAll(Records.decodeInboxRecord(record.value()));
                decoded++;
            } catch (Records.InvalidRecordException e) {
                rejection = e;
                break;
            }
        }
        Timer.Sample sample = Timer.start(meters);
        Written written = transactions.execute(status -> write(entries));
        sample.stop(meters.timer("courier.fanout.inbox.commit"));
        batchSizes.record(entries.size());
        if (written != null && !written.heads().isEmpty()) {
            commitListeners.forEach(listener -> listener.committed(written.heads(), written.rows()));
            hints.publish(written.heads());
        }
        if (rejection != null) {
            throw new BatchListenerFailedException(rejection.getMessage(), rejection, offset + decoded);
        }
    }

    /** The rows a batch wrote and the new head seq of each user written to. */
    private record Written(Map<String, Long> heads, List<InboxCommitListener.Row> rows) {}

    /** Writes the entries not yet in their inbox, in order. */
    private Written write(List<InboxEntry> entries) {
        if (entries.isEmpty()) {
            return new Written(Map.of(), List.of());
        }
        Map<String, InboxEntry> unique = new LinkedHashMap<>();
        Set<String> users = new LinkedHashSet<>();
        Set<String> messages = new LinkedHashSet<>();
        for (InboxEntry entry : entries) {
            unique.putIfAbsent(entry.userId() + " " + entry.messageId(), entry);
            users.add(entry.userId());
            messages.add(entry.messageId());
        }
        Set<String> present = inbox.present(users, messages);
        Map<String, Long> heads = new HashMap<>(inbox.heads(users));
        Map<String, Long> advanced = new HashMap<>();
        List<InboxCommitListener.Row> rows = new ArrayList<>(unique.size());
        unique.forEach((pair, entry) -> {
            if (!present.contains(pair)) {
                long seq = heads.merge(entry.userId(), 1L, Long::sum);
                advanced.put(entry.userId(), seq);
                rows.add(new InboxCommitListener.Row(entry.userId(), seq, entry.messageId()));
            }
        });
        if (!rows.isEmpty()) {
            inbox.insert(rows, clock.millis());
            inbox.advanceHeads(advanced);
        }
        meters.counter("courier.fanout.inbox.rows").increment(rows.size());
        meters.counter("courier.fanout.inbox.duplicates").increment(entries.size() - rows.size());
        return new Written(advanced, rows);
    }
}
