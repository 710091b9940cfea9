package dev.courier.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import dev.courier.common.ConversationRecord;
import dev.courier.common.InboxRecord;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.web.ApiException;

/**
 * Writes records to {@code courier.conversations}, keyed by conversation, and returns only once Kafka has acknowledged
 * them (acks=all, idempotent producer). When Kafka does not answer within the send timeout the caller gets
 * {@code 503 unavailable}: nothing was accepted, and a retry with the same ids is safe.
 */
@Component
public class ConversationPublisher {

    private static final Logger log = LoggerFactory.getLogger(ConversationPublisher.class);

    private final KafkaOperations<String, String> kafka;

    private final GatewayProperties properties;

    ConversationPublisher(KafkaOperations<String, String> kafka, GatewayProperties properties) {
        this.kafka = kafka;
        this.properties = properties;
    }

    public void publish(ConversationRecord record) {
        await(publishAsync(record));
    }

    private static void await(CompletableFuture<Void> acknowledged) {
        try {
            acknowledged.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while writing to the log; retry");
        } catch (ExecutionException e) {
            throw (ApiException) e.getCause();
        }
    }

    /**
     * Starts writing the record; records published one after the other from one thread keep their order in the log.
     * The future fails with {@code 503 unavailable} when Kafka does not acknowledge within the send timeout.
     */
    public CompletableFuture<Void> publishAsync(ConversationRecord record) {
        return send(Topics.CONVERSATIONS, record.conversation(), Records.encode(record), record.type());
    }

    /**
     * Writes a change of one user's own conversation state (a mute) to {@code courier.inbox}, keyed by the user, so
     * that the writer of the user's inbox applies it; returns once Kafka acknowledged it.
     */
    public void publish(InboxRecord record) {
        await(send(Topics.INBOX, record.userId(), Records.encode(record), "conversation state"));
    }

    private CompletableFuture<Void> send(String topic, String key, String value, String what) {
        CompletableFuture<Void> acknowledged;
        try {
            acknowledged = kafka.send(topic, key, value).thenApply(result -> (Void) null);
        } catch (KafkaException | org.springframework.kafka.KafkaException e) {
            acknowledged = CompletableFuture.failedFuture(e);
        }
        return acknowledged
                .orTimeout(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> {
                    log.warn("Kafka did not acknowledge a {} record for {}: {}", what, key, e.toString());
                    return CompletableFuture.failedFuture(
                            ApiException.unavailable("the message log is unavailable; retry with the same ids"));
                });
    }
}
