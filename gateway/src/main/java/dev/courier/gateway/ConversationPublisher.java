package dev.courier.gateway;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import dev.courier.common.ConversationRecord;
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
        try {
            kafka.send(Topics.CONVERSATIONS, record.conversation(), Records.encode(record))
                .get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while writing to the log; retry");
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException
                | org.springframework.kafka.KafkaException e) {
            log.warn("Kafka did not acknowledge a {} record for {}: {}", record.type(), record.conversation(),
                    e.toString());
            throw ApiException.unavailable("the message log is unavailable; retry with the same ids");
        }
    }
}
