package dev.courier.push;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

import dev.courier.common.PushCandidate;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.push.provider.Push;
import dev.courier.store.PushTokenRepository;

/**
 * Consumes {@code courier.push} in the consumer group {@code courier-push}: of each user's candidates in a batch the
 * newest is offered ({@link Deliveries}) for each of the user's devices with a token, and the batch returns (its
 * offsets are committed) only once every push it carries is resolved. A slow or failing provider therefore holds up
 * this topic only, never the chat pipeline; a crash of the worker delivers the batch again (a push may then be sent
 * twice, never lost). A record that cannot be decoded goes to {@code courier.push.dlt} at once. A passing failure
 * (the database, Kafka) fails the batch, which the error handler retries.
 */
@Component
class PushListener {

    private final PushTokenRepository tokens;

    private final Deliveries deliveries;

    private final Previews previews;

    private final PushDeadLetters deadLetters;

    private final PushProperties properties;

    PushListener(
            PushTokenRepository tokens,
            Deliveries deliveries,
            Previews previews,
            PushDeadLetters deadLetters,
            PushProperties properties) {
        this.tokens = tokens;
        this.deliveries = deliveries;
        this.previews = previews;
        this.deadLetters = deadLetters;
        this.properties = properties;
    }

    private record Decoded(PushCandidate candidate, ConsumerRecord<String, String> record) {}

    @KafkaListener(
            id = "courier-push",
            topics = Topics.PUSH,
            batch = "true",
            concurrency = "${courier.push.concurrency:1}")
    void on(List<ConsumerRecord<String, String>> records) {
        List<CompletableFuture<?>> resolved = new ArrayList<>();
        Map<String, Decoded> newest = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                PushCandidate candidate = Records.decodePush(record.value());
                Decoded before = newest.get(candidate.userId());
                if (before == null || candidate.seq() >= before.candidate().seq()) {
                    newest.put(candidate.userId(), new Decoded(candidate, record));
                }
            } catch (Records.InvalidRecordException e) {
                resolved.add(deadLetters.reject(record, e.reason(), e.getMessage(), null, null));
            }
        }
        if (!newest.isEmpty()) {
            Map<String, List<PushTokenRepository.PushToken>> devices = tokens.tokens(newest.keySet());
            Map<String, Push.Preview> previewed = properties.preview()
                    ? previews.of(
                            newest.values().stream().map(Decoded::candidate).toList())
                    : Map.of();
            newest.forEach((user, decoded) -> {
                Deliveries.Due due = new Deliveries.Due(
                        decoded.candidate(), previewed.get(decoded.candidate().messageId()), decoded.record());
                for (PushTokenRepository.PushToken token : devices.getOrDefault(user, List.of())) {
                    resolved.add(deliveries.offer(token, due));
                }
            });
        }
        CompletableFuture.allOf(resolved.toArray(CompletableFuture[]::new)).join();
    }
}
