package dev.courier.bridge.inbound;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.util.unit.DataSize;

import dev.courier.bridge.BridgeProperties;
import dev.courier.bridge.DeadLetters;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.store.AccountRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The inbound stage against a real Kafka and database: a bridge identity's join to a group is remembered only once
 * Kafka acknowledged it, so a batch whose sends failed sends its join again with its message when it is retried.
 */
class InboundJoinIntegrationTests {

    private static JdbcClient jdbc;

    private static FlakyKafkaTemplate kafka;

    private static KafkaConsumer<String, String> conversations;

    private final BridgeProperties properties = new BridgeProperties(
            Map.of("weibo", new BridgeProperties.SystemSettings(List.of("*"), List.of("*"))),
            DataSize.ofKilobytes(64),
            16_384);

    @BeforeAll
    static void connect() throws Exception {
        Infrastructure infrastructure = CourierInfrastructure.shared();
        jdbc = JdbcClient.create(new DriverManagerDataSource(
                infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword()));
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(Topics.CONVERSATIONS, 8, (short) 1)))
                    .all()
                    .get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        kafka = new FlakyKafkaTemplate(new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class)));
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafkaBootstrap());
        conversations = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = conversations.partitionsFor(Topics.CONVERSATIONS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        conversations.assign(partitions);
        conversations.seekToEnd(partitions);
        partitions.forEach(conversations::position);
    }

    @AfterAll
    static void disconnect() {
        conversations.close();
        kafka.destroy();
    }

    @Test
    void aJoinWhoseSendFailedIsSentAgainWithTheMessageWhenTheBatchIsRetried() {
        String groupId = "g-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        jdbc.sql("INSERT INTO chat_groups (group_id, name, owner_id, members_version, created_at) "
                        + "VALUES (?, 'G', 'owner', 1, 0)")
                .params(groupId)
                .update();
        InboundListener inbound = new InboundListener(
                new BridgeDirectory(new AccountRepository(jdbc), new MembershipRepository(jdbc), Clock.systemUTC()),
                new DeadLetters(kafka, new SimpleMeterRegistry()),
                kafka,
                properties,
                Clock.systemUTC(),
                new SimpleMeterRegistry());
        ConsumerRecord<String, String> envelope = new ConsumerRecord<>(
                "courier.bridge.in.weibo",
                0,
                0,
                "wb-1",
                "{\"v\":1,\"system\":\"weibo\",\"externalId\":\"wb-" + groupId + "\",\"from\":\"poster\","
                        + "\"to\":\"g:" + groupId + "\",\"kind\":\"text\",\"content\":\"hello\"}");

        kafka.failing = true;
        assertThatThrownBy(() -> inbound.on(List.of(envelope))).hasRootCauseInstanceOf(KafkaException.class);
        kafka.failing = false;
        inbound.on(List.of(envelope)); // the container consumes the batch again

        List<String> types = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            conversations.poll(Duration.ofMillis(200)).forEach(record -> {
                if (("g:" + groupId).equals(record.key())) {
                    types.add(Records.decodeConversation(record.value()).type());
                }
            });
            assertThat(types).containsExactly("members.added", "message");
        });
    }

    /** A real template whose sends fail, without reaching Kafka, while {@link #failing} is set. */
    private static final class FlakyKafkaTemplate extends KafkaTemplate<String, String> {

        volatile boolean failing;

        FlakyKafkaTemplate(DefaultKafkaProducerFactory<String, String> factory) {
            super(factory);
        }

        @Override
        public CompletableFuture<SendResult<String, String>> send(String topic, String key, String data) {
            return failing
                    ? CompletableFuture.failedFuture(new KafkaException("broker unavailable"))
                    : super.send(topic, key, data);
        }
    }
}
