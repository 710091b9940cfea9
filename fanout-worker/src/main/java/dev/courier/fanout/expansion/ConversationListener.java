package dev.courier.fanout.expansion;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.common.InboxEntry;
import dev.courier.common.Records;
import dev.courier.common.Topics;

/**
 * The expansion stage: consumes {@code courier.conversations}, stores each message once, applies membership changes in
 * log order, and writes one {@code courier.inbox} record per recipient (the sender included). Offsets are committed only
 * after the database commit and Kafka's acknowledgement of every inbox record.
 */
@Component
@ConditionalOnBooleanProperty(name = "courier.fanout.expansion.enabled", matchIfMissing = true)
class ConversationListener {

    private final Expander expander;

    private final TransactionTemplate transactions;

    private final KafkaOperations<String, String> kafka;

    private final MeterRegistry meters;

    ConversationListener(Expander expander, TransactionTemplate transactions, KafkaOperations<String, String> kafka,
            MeterRegistry meters) {
        this.expander = expander;
        this.transactions = transactions;
        this.kafka = kafka;
        this.meters = meters;
    }

    @KafkaListener(id = "courier-fanout-expansion", topics = Topics.CONVERSATIONS, batch = "true",
            concurrency = "${courier.fanout.expansion.concurrency:1}")
    void on(List<ConsumerRecord<String, String>> records) {
        Expander.Batch batch = expander.newBatch();
        transactions.executeWithoutResult(
                status -> batch.applyAll(records.stream().map(ConsumerRecord::value).toList()));
        batch.committed();
        publish(batch.entries());
        meters.counter("courier.fanout.expansion.records").increment(
                batch.rejectedIndex() >= 0 ? batch.rejectedIndex() : records.size());
        meters.counter("courier.fanout.expansion.entries").increment(batch.entries().size());
        Records.InvalidRecordException rejection = batch.rejection();
        if (rejection != null) {
            // the records before it are done; the error handler sends this one to the dead-letter topic
            throw new BatchListenerFailedException(rejection.getMessage(), rejection, batch.rejectedIndex());
        }
    }

    private void publish(List<InboxEntry> entries) {
        List<CompletableFuture<?>> sends = new ArrayList<>(entries.size());
        for (InboxEntry entry : entries) {
            sends.add(kafka.send(Topics.INBOX, entry.userId(), Records.encode(entry)));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
    }
}
