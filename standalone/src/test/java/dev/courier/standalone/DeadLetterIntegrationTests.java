package dev.courier.standalone;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationRecord;
import dev.courier.common.Records;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A record the fanout-worker can never process goes to {@code <topic>.dlt} with its reason, and the partition keeps
 * flowing: messages behind it in the same conversation (or inbox) are delivered. That holds for records the decoder
 * refuses and for records only the database refuses.
 */
class DeadLetterIntegrationTests {

    private static KafkaProducer<String, String> producer;

    private final Api api = TestSystem.api();

    @BeforeAll
    static void connect() {
        TestSystem.get();
        Properties config = new Properties();
        config.put(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                CourierInfrastructure.shared().kafkaBootstrap());
        // one batch on the wire, so that the poison records arrive in the consumer's batch with the good ones
        config.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close();
    }

    @Test
    void poisonRecordsAreDeadLetteredWithTheirReasonAndTheConversationKeepsFlowing() throws Exception {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(alice, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        String conversation = "g:" + groupId;
        String notMember = message("m-poison-" + groupId, "c1", conversation, outsider.userId(), "sneaked in");
        // passes the decoder's rules only if they are incomplete; the database would refuse it (32 characters)
        String tooLong = message("m".repeat(40), "c2", conversation, alice.userId(), "too long an id");
        // valid alone, but a second message of the same send (sender, clientMsgId) under another id: only the
        // database can tell, by its unique key
        String first = message("m-first-" + groupId, "same-send", conversation, alice.userId(), "first");
        String sameSend = message("m-again-" + groupId, "same-send", conversation, alice.userId(), "again");
        String good = message("m-good-" + groupId, "c3", conversation, alice.userId(), "good");

        List<String> poison =
                List.of("not json at all", "{\"type\":\"message\",\"v\":1}", notMember, tooLong, sameSend);
        for (String value :
                List.of(poison.get(0), poison.get(1), first, poison.get(2), poison.get(3), poison.get(4), good)) {
            // same key as the group: the same partition as the messages that follow
            producer.send(new ProducerRecord<>("courier.conversations", conversation, value));
        }
        producer.flush();
        String after = api.sendOk(alice, conversation, "still flowing");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).containsExactly("m-first-" + groupId, "m-good-" + groupId, after);
        });

        List<ConsumerRecord<String, String>> letters =
                deadLetters("courier.conversations.dlt", conversation, poison.size());
        assertThat(letters).extracting(ConsumerRecord::value).containsExactlyElementsOf(poison);
        assertThat(letters)
                .extracting(letter -> header(letter, "courier.dlt.reason"))
                .containsExactly("invalid_request", "invalid_request", "not_member", "invalid_request", "conflict");
        assertThat(header(letters.get(0), "courier.dlt.detail")).contains("not JSON");
        assertThat(header(letters.get(1), "courier.dlt.detail")).contains("missing");
        assertThat(header(letters.get(3), "courier.dlt.detail")).startsWith("messageId:");
        assertThat(header(letters.get(4), "courier.dlt.detail")).contains("database");
        assertThat(letters)
                .allSatisfy(letter ->
                        assertThat(header(letter, "courier.dlt.source")).startsWith("courier.conversations/"));
    }

    @Test
    void anInboxRecordTheDatabaseCouldNotHoldIsDeadLetteredAndTheInboxKeepsFlowing() throws Exception {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        String poison = "{\"type\":\"inbox.entries\",\"v\":1,\"messageId\":\"m-x\",\"conversation\":\"d:a:b\","
                + "\"userIds\":[\"" + "u".repeat(70) + "\"]}";
        // keyed by bob: the partition of bob's inbox, ahead of his next message
        producer.send(new ProducerRecord<>("courier.inbox", bob.userId(), poison))
                .get();
        String after = api.sendOk(alice, "u:" + bob.userId(), "still flowing");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).containsExactly(after);
        });
        ConsumerRecord<String, String> letter =
                deadLetters("courier.inbox.dlt", bob.userId(), 1).getFirst();
        assertThat(letter.value()).isEqualTo(poison);
        assertThat(header(letter, "courier.dlt.reason")).isEqualTo("invalid_request");
        assertThat(header(letter, "courier.dlt.detail")).startsWith("userId:");
    }

    private static String message(String messageId, String clientMsgId, String conversation, String from, String text) {
        return Records.encode(new ConversationRecord.MessagePosted(
                messageId, clientMsgId, conversation, from, "text", StringNode.valueOf(text), Instant.now(), null));
    }

    /** The {@code count} dead letters of the topic with this key (waits for them). */
    static List<ConsumerRecord<String, String>> deadLetters(String topic, String key, int count) {
        Properties config = new Properties();
        config.put(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                CourierInfrastructure.shared().kafkaBootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> dlt =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            dlt.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> mine = new CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                dlt.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (key.equals(record.key())) {
                        mine.add(record);
                    }
                });
                assertThat(mine).hasSize(count);
            });
            return mine;
        }
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as(name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
