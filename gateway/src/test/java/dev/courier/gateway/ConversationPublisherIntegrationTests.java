package dev.courier.gateway;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.embedded.Ports;
import dev.courier.web.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link ConversationPublisher}: a record is written to {@code courier.conversations} keyed by its conversation and
 * acknowledged; when Kafka does not acknowledge (here: no broker at its address), the caller gets
 * {@code 503 unavailable}, and the future of an asynchronous publish fails.
 */
class ConversationPublisherIntegrationTests {

    @Test
    void recordIsInTheLogKeyedByItsConversationOnceThePublishReturns() {
        ConversationPublisher publisher = TestGateway.bean(ConversationPublisher.class);
        String groupId = "pub-" + Long.toString(System.nanoTime(), 36);
        String eventId = UUID.randomUUID().toString();
        publisher.publish(new ConversationRecord.MembersAdded(
                eventId, groupId, List.of("bob"), "alice", Instant.now().truncatedTo(ChronoUnit.MILLIS)));

        ConversationLog.Entry record =
                TestGateway.conversations().await(entry -> entry.key().equals("g:" + groupId));
        assertThat(record.type()).isEqualTo("members.added");
        assertThat(record.value().path("eventId").asString()).isEqualTo(eventId);
        assertThat(record.value().path("userIds").get(0).asString()).isEqualTo("bob");
        assertThat(record.value().path("by").asString()).isEqualTo("alice");
    }

    @Test
    void kafkaThatNeverAcknowledgesIsAnsweredUnavailable() {
        DefaultKafkaProducerFactory<String, String> factory = new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + Ports.freePort(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                250));
        KafkaTemplate<String, String> nowhere = new KafkaTemplate<>(factory);
        GatewayProperties properties = new GatewayProperties(
                16384,
                Duration.ofMillis(500),
                500,
                new GatewayProperties.Limits(60, 10, 10, 50, Duration.ofMinutes(5)),
                Duration.ofMinutes(2),
                Duration.ofHours(24),
                GatewayProperties.DEFAULT_REACTION_PATTERN,
                Duration.ofSeconds(5));
        ConversationPublisher publisher = new ConversationPublisher(nowhere, properties);
        ConversationRecord.MemberRemoved record = new ConversationRecord.MemberRemoved(
                UUID.randomUUID().toString(), "nowhere", "bob", "alice", Instant.now());
        try {
            CompletableFuture<Void> pending = publisher.publishAsync(record);
            await().atMost(Duration.ofSeconds(10)).until(pending::isDone);
            assertThat(pending).isCompletedExceptionally();
            assertThatThrownBy(() -> publisher.publish(record)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.getMessage()).contains("retry with the same ids");
            });
        } finally {
            factory.destroy();
        }
    }
}
