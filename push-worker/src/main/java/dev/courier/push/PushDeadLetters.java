package dev.courier.push;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import dev.courier.common.DeadLetterHeaders;
import dev.courier.common.ErrorCode;
import dev.courier.common.Topics;

/**
 * Sends a candidate whose push failed for good (retries exhausted, refused by the provider), or a record of
 * {@code courier.push} that cannot be decoded, to {@code courier.push.dlt}: the original key and value with
 * {@code courier.dlt.reason}, {@code courier.dlt.detail} and {@code courier.dlt.source} (PROTOCOL.md, "Kafka topics"),
 * and for a push also {@code courier.push.device} and {@code courier.push.provider}. Counted in
 * {@code courier.push.dlt{reason}}.
 */
@Component
class PushDeadLetters {

    static final String DEVICE_HEADER = "courier.push.device";

    static final String PROVIDER_HEADER = "courier.push.provider";

    private static final Logger log = LoggerFactory.getLogger(PushDeadLetters.class);

    private final KafkaOperations<String, String> kafka;

    private final MeterRegistry meters;

    PushDeadLetters(KafkaOperations<String, String> kafka, MeterRegistry meters) {
        this.kafka = kafka;
        this.meters = meters;
    }

    CompletableFuture<?> reject(
            ConsumerRecord<String, String> record,
            ErrorCode reason,
            String detail,
            @Nullable String deviceId,
            @Nullable String provider) {
        log.warn(
                "Dead-lettering the push of {}-{}@{}{}: {} {}",
                record.topic(),
                record.partition(),
                record.offset(),
                deviceId == null ? "" : " to device " + deviceId,
                reason.code(),
                detail);
        meters.counter("courier.push.dlt", "reason", reason.code()).increment();
        ProducerRecord<String, String> letter =
                new ProducerRecord<>(Topics.deadLetter(Topics.PUSH), null, record.key(), record.value());
        letter.headers().add(DeadLetterHeaders.REASON, bytes(reason.code()));
        letter.headers().add(DeadLetterHeaders.DETAIL, bytes(detail));
        letter.headers()
                .add(
                        DeadLetterHeaders.SOURCE,
                        bytes(record.topic() + "/" + record.partition() + "/" + record.offset()));
        if (deviceId != null) {
            letter.headers().add(DEVICE_HEADER, bytes(deviceId));
        }
        if (provider != null) {
            letter.headers().add(PROVIDER_HEADER, bytes(provider));
        }
        return kafka.send(letter);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
