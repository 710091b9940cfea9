package dev.courier.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import dev.courier.common.ConversationRecord;
import dev.courier.common.Records;
import dev.courier.testinfra.CourierInfrastructure;
import tools.jackson.databind.node.StringNode;

/**
 * A record the fanout-worker can never process goes to {@code <topic>.dlt} with its reason, and the partition keeps
 * flowing: messages behind it in the same conversation are delivered.
 */
class DeadLetterIntegrationTests {

    private final Api api = TestSystem.api();

    @Test
    void poisonRecordsAreDeadLetteredWithTheirReasonAndTheConversationKeepsFlowing() throws Exception {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(alice, groupId, "G", List.of(bob.userId())).status()).isEqualTo(201);
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        String conversation = "g:" + groupId;
        String notMember = Records.encode(new ConversationRecord.MessagePosted("m-poison-" + groupId, "c1",
                conversation, outsider.userId(), "text", StringNode.valueOf("sneaked in"), Instant.now(), null));

        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CourierInfrastructure.shared().kafkaBootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            // same key as the group: the same partition as the messages that follow
            producer.send(new ProducerRecord<>("courier.conversations", conversation, "not json at all")).get();
            producer.send(new ProducerRecord<>("courier.conversations", conversation,
                    "{\"type\":\"message\",\"v\":1}")).get();
            producer.send(new ProducerRecord<>("courier.conversations", conversation, notMember)).get();
        }
        String after = api.sendOk(alice, conversation, "still flowing");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).containsExactly(after);
        });

        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, CourierInfrastructure.shared().kafkaBootstrap());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> dlt = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer())) {
            dlt.subscribe(List.of("courier.conversations.dlt"));
            List<ConsumerRecord<String, String>> mine = new java.util.concurrent.CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                dlt.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (conversation.equals(record.key())) {
                        mine.add(record);
                    }
                });
                assertThat(mine).hasSize(3);
            });
            assertThat(mine).extracting(ConsumerRecord::value)
                .containsExactly("not json at all", "{\"type\":\"message\",\"v\":1}", notMember);
            assertThat(reason(mine.get(0))).contains("not JSON");
            assertThat(reason(mine.get(1))).contains("missing");
            assertThat(reason(mine.get(2))).contains("not_member");
        }
    }

    private static String reason(ConsumerRecord<String, String> record) {
        var header = record.headers().lastHeader("kafka_dlt-exception-message");
        assertThat(header).as("the reason header").isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
