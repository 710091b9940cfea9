package dev.courier.bridge;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import dev.courier.common.DeadLetterHeaders;
import dev.courier.common.ErrorCode;
import dev.courier.common.Topics;

/**
 * Sends a record that can never be processed (an inbound envelope that can never be delivered, a record of
 * {@code courier.expanded} outbound cannot decode) to {@code <topic>.dlt}, unchanged, with why in the headers
 * {@code courier.dlt.reason} (a stable code: {@code invalid_request}, {@code payload_too_large}, {@code forbidden},
 * {@code not_found}, {@code not_member}, {@code conflict}) and {@code courier.dlt.detail}, and where it came from in
 * {@code courier.dlt.source} ({@code topic/partition/offset}). Counted in {@code courier.bridge.dlt} by reason. The
 * partition keeps flowing: this is the routing of bad input, not an error of the worker.
 */
@Component
public class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final KafkaOperations<String, String> kafka;

    private final MeterRegistry meters;

    public DeadLetters(KafkaOperations<String, String> kafka, MeterRegistry meters) {
        this.kafka = kafka;
        this.meters = meters;
    }

    public CompletableFuture<?> reject(ConsumerRecord<String, String> record, ErrorCode reason, String detail) {
        log.debug(
                "Dead-lettering {}-{}@{}: {} {}",
                record.topic(),
                record.partition(),
                record.offset(),
                reason.code(),
                detail);
        meters.counter("courier.bridge.dlt", "reason", reason.code(), "topic", record.topic())
                .increment();
        ProducerRecord<String, String> letter =
                new ProducerRecord<>(Topics.deadLetter(record.topic()), null, record.key(), record.value());
        letter.headers().add(DeadLetterHeaders.REASON, reason.code().getBytes(StandardCharsets.UTF_8));
        letter.headers().add(DeadLetterHeaders.DETAIL, detail.getBytes(StandardCharsets.UTF_8));
        letter.headers()
                .add(
                        DeadLetterHeaders.SOURCE,
                        (record.topic() + "/" + record.partition() + "/" + record.offset())
                                .getBytes(StandardCharsets.UTF_8));
        return kafka.send(letter);
    }
}
