package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Json;
import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * External systems in and out through the bridge topics, exactly as an outside system would use them, with every
 * service running: an envelope reaches inboxes through the fanout-worker, a reply goes out once it is expanded. What
 * the bridge-worker does on its own (envelope rules, dead letters, permissions, the outbound envelope form) is tested
 * in bridge-worker.
 */
class BridgeIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static KafkaProducer<String, String> producer;

    private final Api api = TestSystem.api();

    @BeforeAll
    static void connect() {
        TestSystem.get();
        Properties config = new Properties();
        config.put(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                CourierInfrastructure.shared().kafkaBootstrap());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close();
    }

    private static void publish(String system, String key, String value) {
        try {
            producer.send(new ProducerRecord<>("courier.bridge.in." + system, key, value))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String envelope(String externalId, String from, String to, String text) {
        ObjectNode envelope = Json.MAPPER
                .createObjectNode()
                .put("v", 1)
                .put("system", "weibo")
                .put("externalId", externalId)
                .put("from", from)
                .put("to", to)
                .put("kind", "text")
                .put("content", text)
                .put("sentAt", "2026-11-21T10:00:00Z");
        return envelope.toString();
    }

    /** Everything on a topic, read from the beginning by a fresh consumer group. */
    private static final class TopicReader implements AutoCloseable {

        private final KafkaConsumer<String, String> consumer;

        final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();

        TopicReader(String topic) {
            Properties config = new Properties();
            config.put(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    CourierInfrastructure.shared().kafkaBootstrap());
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
            consumer.subscribe(List.of(topic));
        }

        List<ConsumerRecord<String, String>> poll() {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return records;
        }

        List<JsonNode> values() {
            return poll().stream()
                    .map(record -> Json.MAPPER.readTree(record.value()))
                    .toList();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    @Test
    void inboundEnvelopeReachesAUserAsAnOrdinaryMessageFromTheBridgeIdentity() {
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        String from = Api.uniqueId("wb-user");
        publish("weibo", "wb-1", envelope(Api.uniqueId("wb"), from, "u:" + bob.userId(), "hello from outside"));

        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messages).hasSize(1);
        });
        JsonNode message = bobs.messages.getFirst();
        assertThat(message.path("from").asString()).isEqualTo("weibo." + from);
        assertThat(message.path("content").asString()).isEqualTo("hello from outside");
        assertThat(message.path("sentAt").asString()).isEqualTo("2026-11-21T10:00:00Z");
        assertThat(message.path("conversation").asString())
                .contains("weibo." + from)
                .startsWith("d:");
        // the identity is an ordinary user: a person can answer it directly
        assertThat(api.send(bob, Api.uniqueId("c"), "u:weibo." + from, "hi back")
                        .status())
                .isEqualTo(202);
    }

    @Test
    void inboundEnvelopeToAGroupReachesEveryMemberAndTheIdentityJoins() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        Api.Device owners = api.deviceOf(owner);
        Api.Device bobs = api.deviceOf(bob);
        owners.syncAll();
        bobs.syncAll();
        String from = Api.uniqueId("wb-user");
        publish("weibo", "k", envelope(Api.uniqueId("wb"), from, "g:" + groupId, "hello group"));

        for (Api.Device device : List.of(owners, bobs)) {
            await().atMost(DELIVERY).untilAsserted(() -> {
                device.syncAll();
                assertThat(device.messages)
                        .extracting(m -> m.path("content").asString())
                        .containsExactly("hello group");
            });
        }
        assertThat(api.call("GET", api.gateway + "/v1/groups/" + groupId, owner.token(), null, null)
                        .body()
                        .path("members")
                        .toString())
                .contains("weibo." + from);
    }

    @Test
    void replayedExternalIdIsDeliveredOnce() {
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        String externalId = Api.uniqueId("wb");
        String value = envelope(externalId, "replayer", "u:" + bob.userId(), "once only");
        for (int i = 0; i < 3; i++) {
            publish("weibo", externalId, value);
        }
        publish("weibo", "marker", envelope(Api.uniqueId("wb"), "replayer", "u:" + bob.userId(), "marker"));
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messages)
                    .extracting(m -> m.path("content").asString())
                    .contains("marker");
        });
        assertThat(bobs.messages).extracting(m -> m.path("content").asString()).containsExactly("once only", "marker");
    }

    @Test
    void messagesToABridgedMemberArePublishedOnceAndNeverEchoed() {
        Api.Session owner = api.newUser("owner");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of()).status()).isEqualTo(201);
        Api.Device owners = api.deviceOf(owner);
        owners.syncAll();
        String from = Api.uniqueId("wb-user");
        String inboundExternalId = Api.uniqueId("wb");
        publish("weibo", "k", envelope(inboundExternalId, from, "g:" + groupId, "from weibo"));
        await().atMost(DELIVERY).untilAsserted(() -> {
            owners.syncAll();
            assertThat(owners.messages).hasSize(1);
        });
        String inboundMessageId = owners.messageIds().getFirst();

        String reply = api.sendOk(owner, "g:" + groupId, "reply to weibo");
        String direct = api.sendOk(owner, "u:weibo." + from, "direct to weibo");
        try (TopicReader out = new TopicReader("courier.bridge.out.weibo")) {
            await().atMost(DELIVERY)
                    .untilAsserted(() -> assertThat(out.values())
                            .extracting(v -> v.path("externalId").asString())
                            .contains(reply, direct));
            List<JsonNode> mine = out.values().stream()
                    .filter(v -> List.of(reply, direct, inboundMessageId)
                            .contains(v.path("externalId").asString()))
                    .toList();
            // once each (different conversations, so no order between them), and the inbound one not echoed
            assertThat(mine).extracting(v -> v.path("externalId").asString()).containsExactlyInAnyOrder(reply, direct);
            JsonNode published = mine.stream()
                    .filter(v -> v.path("externalId").asString().equals(reply))
                    .findFirst()
                    .orElseThrow();
            JsonNode directEnvelope = mine.stream()
                    .filter(v -> v.path("externalId").asString().equals(direct))
                    .findFirst()
                    .orElseThrow();
            assertThat(published.path("v").asInt()).isEqualTo(1);
            assertThat(published.path("system").asString()).isEqualTo("weibo");
            assertThat(published.path("from").asString()).isEqualTo(owner.userId());
            assertThat(published.path("to").asString()).isEqualTo("g:" + groupId);
            assertThat(published.path("recipients").toString()).contains(from);
            assertThat(published.path("content").asString()).isEqualTo("reply to weibo");
            assertThat(directEnvelope.path("to").asString()).isEqualTo("u:" + from);
            assertThat(out.records.stream()
                            .filter(r -> r.value().contains(reply))
                            .findFirst()
                            .orElseThrow()
                            .key())
                    .isEqualTo("g:" + groupId);
        }
    }

    @Test
    void repliesSentWhileTheExpansionStageIsDownAreAllPublishedOnceItIsBack() {
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        String from = Api.uniqueId("wb-user");
        publish("weibo", "k", envelope(Api.uniqueId("wb"), from, "u:" + bob.userId(), "hello bob"));
        await().atMost(DELIVERY).untilAsserted(() -> assertThat(bobs.syncAll()).isNotEmpty());

        CourierSystem system = TestSystem.get();
        system.stop(CourierSystem.FANOUT_WORKER);
        List<String> replies = new ArrayList<>();
        try (TopicReader out = new TopicReader("courier.bridge.out.weibo")) {
            try {
                for (int i = 0; i < 20; i++) {
                    replies.add(api.sendOk(bob, "u:weibo." + from, "reply " + i));
                }
                // longer than any timer the outbound might have had: nothing of it may depend on one
                await().during(Duration.ofSeconds(20))
                        .atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(out.values())
                                .extracting(v -> v.path("externalId").asString())
                                .doesNotContainAnyElementsOf(replies));
            } finally {
                system.start(CourierSystem.FANOUT_WORKER);
            }
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(out.values())
                            .extracting(v -> v.path("externalId").asString())
                            .containsAll(replies));
            assertThat(out.values())
                    .extracting(v -> v.path("externalId").asString())
                    .filteredOn(replies::contains)
                    .containsExactlyElementsOf(replies);
        }
    }

    @Test
    void anIdentityRemovedFromAGroupJoinsAgainOnItsNextPost() {
        Api.Session owner = api.newUser("owner");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of()).status()).isEqualTo(201);
        Api.Device owners = api.deviceOf(owner);
        String from = Api.uniqueId("wb-user");
        publish("weibo", "k", envelope(Api.uniqueId("wb"), from, "g:" + groupId, "first post"));
        await().atMost(DELIVERY).untilAsserted(() -> {
            owners.syncAll();
            assertThat(owners.messages)
                    .extracting(m -> m.path("content").asString())
                    .contains("first post");
        });
        assertThat(api.removeMember(owner, groupId, "weibo." + from).status()).isEqualTo(202);
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(
                                api.call("GET", api.gateway + "/v1/groups/" + groupId, owner.token(), null, null)
                                        .body()
                                        .path("members")
                                        .toString())
                        .doesNotContain("weibo." + from));

        publish("weibo", "k", envelope(Api.uniqueId("wb"), from, "g:" + groupId, "second post"));
        await().atMost(DELIVERY).untilAsserted(() -> {
            owners.syncAll();
            assertThat(owners.messages)
                    .extracting(m -> m.path("content").asString())
                    .containsExactly("first post", "second post");
        });
    }

    @Test
    void recallsAndEditsGoOutWithTheTargetAsTheSystemKnowsItAndComeInForTheSystemsOwnMessages() {
        Api.Session bob = api.newUser("bob");
        String from = Api.uniqueId("wb-user");
        String identity = "weibo." + from;
        String conversation = bob.userId().compareTo(identity) < 0
                ? "d:" + bob.userId() + ":" + identity
                : "d:" + identity + ":" + bob.userId();
        String externalId = Api.uniqueId("wb");
        publish("weibo", externalId, envelope(externalId, from, "u:" + bob.userId(), "hello bob"));
        String fromWeibo = historyMessage(
                        bob, conversation, m -> m.path("from").asString().equals(identity))
                .path("messageId")
                .asString();
        String toWeibo = api.sendOk(bob, "u:" + identity, "see you at 8");
        historyMessage(bob, conversation, m -> m.path("messageId").asString().equals(toWeibo));

        try (TopicReader out = new TopicReader("courier.bridge.out.weibo")) {
            assertThat(api.edit(bob, toWeibo, "see you at 9").status()).isEqualTo(202);
            assertThat(api.recall(bob, toWeibo).status()).isEqualTo(202);
            // the system takes back its own message, named by its own id
            ObjectNode recall = (ObjectNode)
                    Json.MAPPER.readTree(envelope(Api.uniqueId("wb-recall"), from, "u:" + bob.userId(), "unused"));
            recall.put("kind", "recall").putObject("content").put("target", externalId);
            publish("weibo", externalId, recall.toString());

            await().atMost(DELIVERY)
                    .untilAsserted(() -> assertThat(out.values())
                            .filteredOn(v -> v.path("conversation").asString().equals(conversation))
                            .extracting(
                                    v -> v.path("kind").asString(),
                                    v -> v.path("from").asString(),
                                    v -> v.path("content").path("target").asString(""),
                                    v -> v.path("convSeq").asLong())
                            .containsExactly(
                                    tuple("text", bob.userId(), "", 2L),
                                    tuple("edit", bob.userId(), toWeibo, 3L),
                                    tuple("recall", bob.userId(), toWeibo, 4L),
                                    tuple("recall", identity, externalId, 5L)));
            assertThat(out.values())
                    .filteredOn(v -> v.path("kind").asString().equals("edit")
                            && v.path("conversation").asString().equals(conversation))
                    .singleElement()
                    .satisfies(edit -> {
                        assertThat(edit.path("to").asString()).isEqualTo("u:" + from);
                        assertThat(edit.path("content").path("text").asString()).isEqualTo("see you at 9");
                    });
            JsonNode recalled = historyMessage(
                    bob,
                    conversation,
                    m -> m.path("messageId").asString().equals(fromWeibo)
                            && m.path("recalled").asBoolean());
            assertThat(recalled.path("content").isNull()).isTrue();
        }
    }

    /** The first message of the user's history of the conversation that matches, once there is one. */
    private JsonNode historyMessage(Api.Session reader, String conversation, Predicate<JsonNode> matches) {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(DELIVERY).untilAsserted(() -> {
            found.clear();
            api.history(reader, conversation, "limit=200")
                    .body()
                    .path("messages")
                    .forEach(m -> {
                        if (matches.test(m)) {
                            found.add(m);
                        }
                    });
            assertThat(found).isNotEmpty();
        });
        return found.getFirst();
    }
}
