package dev.courier.bridge.outbound;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.bridge.BridgeProperties;
import dev.courier.bridge.DeadLetters;
import dev.courier.bridge.TestServers;
import dev.courier.common.DeadLetterHeaders;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.Json;
import dev.courier.common.Records;
import dev.courier.common.Topics;

import static dev.courier.bridge.TestServers.header;
import static dev.courier.bridge.TestServers.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The outbound stage against the real database and Kafka, fed batches of {@code courier.expanded} as its listener
 * container would: what it publishes to {@code courier.bridge.out.<system>}, to which systems, and how
 * {@code bridge_deliveries} keeps a message from being published twice, and the dead letters of records it cannot
 * decode.
 */
class OutboundListenerIntegrationTests {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:05Z");

    private static final Instant SENT_AT = Instant.parse("2026-11-21T10:00:00.123Z");

    private static final List<String> SYSTEMS = List.of("weibo", "wechat", "unconfigured");

    private final BridgeProperties properties = new BridgeProperties(
            Map.of(
                    "weibo", new BridgeProperties.SystemSettings(List.of("*"), List.of("*")),
                    "wechat", new BridgeProperties.SystemSettings(List.of(), List.of())),
            DataSize.ofKilobytes(64),
            16_384);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final OutboundRepository repository = new OutboundRepository(TestServers.jdbc());

    private final AtomicLong offsets = new AtomicLong();

    private final Map<String, TestServers.TopicTail> out = new java.util.LinkedHashMap<>();

    private final TestServers.TopicTail deadLetters;

    @BeforeAll
    static void createTopics() {
        SYSTEMS.forEach(system -> TestServers.createTopic(Topics.bridgeOut(system), 4));
        TestServers.createTopic(Topics.deadLetter(Topics.EXPANDED), 1);
    }

    OutboundListenerIntegrationTests() {
        SYSTEMS.forEach(system -> out.put(system, TestServers.tail(Topics.bridgeOut(system))));
        deadLetters = TestServers.tail(Topics.deadLetter(Topics.EXPANDED));
    }

    @AfterEach
    void closeTails() {
        out.values().forEach(TestServers.TopicTail::close);
        deadLetters.close();
    }

    private OutboundListener outbound(KafkaOperations<String, String> kafka) {
        return new OutboundListener(
                repository,
                kafka,
                new DeadLetters(kafka, meters),
                properties,
                Clock.fixed(NOW, ZoneOffset.UTC),
                meters);
    }

    private OutboundListener outbound() {
        return outbound(TestServers.kafka());
    }

    private static ExpandedMessage message(
            String conversation, String from, @Nullable String origin, String... bridgeRecipients) {
        return new ExpandedMessage(
                uniqueId("m"),
                conversation,
                from,
                "text",
                Json.MAPPER.getNodeFactory().stringNode("hello outside"),
                SENT_AT,
                origin,
                List.of(bridgeRecipients));
    }

    /** A record of {@code courier.expanded}, at the next offset of partition 5. */
    private ConsumerRecord<String, String> record(@Nullable String value) {
        return new ConsumerRecord<>(Topics.EXPANDED, 5, offsets.incrementAndGet(), "key", value);
    }

    private ConsumerRecord<String, String> record(ExpandedMessage message) {
        return new ConsumerRecord<>(
                Topics.EXPANDED, 5, offsets.incrementAndGet(), message.conversation(), Records.encode(message));
    }

    /** What was published to the system's topic, as JSON. */
    private List<JsonNode> published(String system) {
        return out.get(system).records().stream()
                .map(r -> Json.MAPPER.readTree(r.value()))
                .toList();
    }

    private static List<String> deliveries(String messageId) {
        return TestServers.jdbc()
                .sql("SELECT system_id, published_at FROM bridge_deliveries WHERE message_id = ? ORDER BY system_id")
                .param(messageId)
                .query((rs, row) -> rs.getString(1) + " " + rs.getLong(2))
                .list();
    }

    private static ObjectNode envelope(String system, ExpandedMessage message, String to, String... recipients) {
        ObjectNode envelope = Json.MAPPER
                .createObjectNode()
                .put("v", 1)
                .put("system", system)
                .put("externalId", message.messageId())
                .put("from", message.from())
                .put("to", to)
                .put("conversation", message.conversation())
                .put("convSeq", Math.toIntExact(message.convSeq()));
        envelope.putArray("recipients")
                .addAll(List.of(recipients).stream()
                        .map(r -> (JsonNode) Json.MAPPER.getNodeFactory().stringNode(r))
                        .toList());
        envelope.put("kind", message.kind());
        envelope.set("content", message.content());
        envelope.put("sentAt", "2026-11-21T10:00:00.123Z");
        return envelope;
    }

    @Test
    void publishesAGroupMessageOnceToEachBridgedSystemInTheEnvelopeForm() {
        String group = "g:" + uniqueId("team");
        ExpandedMessage message = message(group, "alice", null, "weibo.a", "wechat.c", "weibo.b");

        outbound().on(List.of(record(message)));

        assertThat(out.get("weibo").records()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(group);
            assertThat(Json.MAPPER.readTree(r.value())).isEqualTo(envelope("weibo", message, group, "a", "b"));
        });
        assertThat(published("wechat")).containsExactly(envelope("wechat", message, group, "c"));
        assertThat(deliveries(message.messageId()))
                .containsExactly("wechat " + NOW.toEpochMilli(), "weibo " + NOW.toEpochMilli());
        assertThat(meters.counter("courier.bridge.outbound.published").count()).isEqualTo(2);
    }

    @Test
    void addressesADirectMessageToTheExternalUserAndPassesMediaReferencesAsTheyAre() {
        String conversation = "d:alice:weibo.x";
        ObjectNode image = Json.MAPPER
                .createObjectNode()
                .put("url", "https://media.example/a.png")
                .put("mime", "image/png")
                .put("size", 42);
        ExpandedMessage message = new ExpandedMessage(
                uniqueId("m"), conversation, "alice", "image", image, SENT_AT, null, List.of("weibo.x"));

        outbound().on(List.of(record(message)));

        assertThat(out.get("weibo").records()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(conversation);
            assertThat(Json.MAPPER.readTree(r.value())).isEqualTo(envelope("weibo", message, "u:x", "x"));
        });
    }

    @Test
    void neverEchoesAMessageToTheSystemItCameFrom() {
        String group = "g:" + uniqueId("team");
        ExpandedMessage message = message(group, "weibo.x", "weibo", "weibo.x", "weibo.y", "wechat.c");

        outbound().on(List.of(record(message)));

        assertThat(published("weibo")).isEmpty();
        assertThat(published("wechat")).containsExactly(envelope("wechat", message, group, "c"));
        assertThat(deliveries(message.messageId())).containsExactly("wechat " + NOW.toEpochMilli());
    }

    @Test
    void skipsSystemsThatAreNotConfigured() {
        ExpandedMessage unconfigured = message("g:" + uniqueId("team"), "alice", null, "unconfigured.z");
        ExpandedMessage none = message("g:" + uniqueId("team"), "alice", null);

        outbound().on(List.of(record(unconfigured), record(none)));

        assertThat(published("unconfigured")).isEmpty();
        assertThat(published("weibo")).isEmpty();
        assertThat(deliveries(unconfigured.messageId())).isEmpty();
        assertThat(meters.counter("courier.bridge.outbound.published").count()).isZero();
    }

    @Test
    void publishesTheMessagesOfAConversationInTheirOrder() {
        String group = "g:" + uniqueId("team");
        List<ExpandedMessage> messages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            messages.add(message(group, "alice", null, "weibo.a"));
        }

        outbound().on(messages.stream().map(this::record).toList());

        assertThat(published("weibo"))
                .extracting(e -> e.path("externalId").asString())
                .containsExactlyElementsOf(
                        messages.stream().map(ExpandedMessage::messageId).toList());
    }

    @Test
    void publishesAMessageAnnouncedTwiceInABatchOnce() {
        ExpandedMessage message = message("g:" + uniqueId("team"), "alice", null, "weibo.a");

        outbound().on(List.of(record(message), record(message)));

        assertThat(published("weibo")).hasSize(1);
    }

    @Test
    void doesNotPublishARedeliveredMessageAgain() {
        ExpandedMessage message = message("g:" + uniqueId("team"), "alice", null, "weibo.a");
        outbound().on(List.of(record(message)));

        // redelivered to this instance, and to a new one
        outbound().on(List.of(record(message)));
        outbound().on(List.of(record(message)));

        assertThat(published("weibo")).hasSize(1);
        assertThat(deliveries(message.messageId())).hasSize(1);
    }

    @Test
    void publishesOnlyToTheSystemsNotRecordedAsDeliveredAlready() {
        ExpandedMessage message = message("g:" + uniqueId("team"), "alice", null, "weibo.a", "wechat.c");
        repository.recordDelivery(message.messageId(), "weibo", 1);

        outbound().on(List.of(record(message)));

        assertThat(published("weibo")).isEmpty();
        assertThat(published("wechat")).hasSize(1);
        assertThat(deliveries(message.messageId())).containsExactly("wechat " + NOW.toEpochMilli(), "weibo 1");
    }

    @Test
    void recordsADeliveryOnlyOnceKafkaAcknowledgedIt() {
        FlakyKafkaTemplate kafka = new FlakyKafkaTemplate(TestServers.kafka());
        ExpandedMessage message = message("g:" + uniqueId("team"), "alice", null, "weibo.a");
        OutboundListener outbound = outbound(kafka);

        kafka.failing = true;
        assertThatThrownBy(() -> outbound.on(List.of(record(message)))).hasRootCauseInstanceOf(KafkaException.class);
        assertThat(deliveries(message.messageId())).isEmpty();
        kafka.failing = false;
        outbound.on(List.of(record(message))); // the container consumes the batch again

        assertThat(published("weibo")).hasSize(1);
        assertThat(deliveries(message.messageId())).hasSize(1);
    }

    @Test
    void deadLettersRecordsItCannotDecodeWithTheirReasonAndPublishesTheRestOfTheirBatch() {
        ExpandedMessage message = message("g:" + uniqueId("team"), "alice", null, "weibo.a");
        ObjectNode wrongType = (ObjectNode) Json.MAPPER.readTree(Records.encode(message));
        wrongType.put("type", "message");
        ObjectNode noRecipients = (ObjectNode) Json.MAPPER.readTree(Records.encode(message));
        noRecipients.remove("bridgeRecipients");
        ObjectNode badRecipient = (ObjectNode) Json.MAPPER.readTree(Records.encode(message));
        badRecipient.putArray("bridgeRecipients").add("weibo.a").add("nosystem");
        ObjectNode tooLarge = (ObjectNode) Json.MAPPER.readTree(Records.encode(message));
        tooLarge.put("kind", "image")
                .putObject("content")
                .put("url", "https://media.example/a.png")
                .put("mime", "image/png")
                .put("size", 1)
                .put("caption", "y".repeat(5000));
        List<ConsumerRecord<String, String>> bad = List.of(
                record((String) null),
                record("not json"),
                record(wrongType.toString()),
                record(noRecipients.toString()),
                record(badRecipient.toString()),
                record(tooLarge.toString()));
        List<ConsumerRecord<String, String>> batch = new ArrayList<>(bad);
        batch.add(2, record(message));

        outbound().on(batch);

        assertThat(published("weibo"))
                .extracting(e -> e.path("externalId").asString())
                .containsExactly(message.messageId());
        List<ConsumerRecord<String, String>> letters = deadLetters.records();
        assertThat(letters)
                .extracting(r -> header(r, DeadLetterHeaders.SOURCE))
                .containsExactlyElementsOf(bad.stream()
                        .map(r -> "courier.expanded/5/" + r.offset())
                        .toList());
        assertThat(letters)
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(
                        bad.stream().map(ConsumerRecord::value).toList());
        assertThat(letters).extracting(ConsumerRecord::key).containsOnly("key");
        assertThat(letters)
                .extracting(r -> header(r, DeadLetterHeaders.REASON))
                .containsExactly(
                        "invalid_request",
                        "invalid_request",
                        "invalid_request",
                        "invalid_request",
                        "invalid_request",
                        "payload_too_large");
        assertThat(letters)
                .extracting(r -> header(r, DeadLetterHeaders.DETAIL))
                .satisfiesExactly(
                        detail -> assertThat(detail).isEqualTo("the record has no value"),
                        detail -> assertThat(detail).startsWith("not JSON"),
                        detail -> assertThat(detail).startsWith("unknown record type 'message'"),
                        detail -> assertThat(detail).isEqualTo("a required field is missing"),
                        detail -> assertThat(detail).startsWith("bridgeRecipients[1]: "),
                        detail -> assertThat(detail).startsWith("content: "));
        assertThat(meters.find("courier.bridge.dlt")
                        .tags("topic", Topics.EXPANDED, "reason", "invalid_request")
                        .counter()
                        .count())
                .isEqualTo(5);
        assertThat(meters.find("courier.bridge.dlt")
                        .tags("topic", Topics.EXPANDED, "reason", "payload_too_large")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void deadLettersARecordWithAnInvalidConversationAndPublishesTheRestOfItsBatch() {
        ExpandedMessage invalid = message("not-a-conversation", "alice", null, "weibo.a");
        ExpandedMessage valid = message("g:" + uniqueId("team"), "alice", null, "weibo.a");
        ConsumerRecord<String, String> poison = record(invalid);

        outbound().on(List.of(poison, record(valid)));

        assertThat(published("weibo"))
                .extracting(e -> e.path("externalId").asString())
                .containsExactly(valid.messageId());
        assertThat(deliveries(invalid.messageId())).isEmpty();
        assertThat(deadLetters.records()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo("not-a-conversation");
            assertThat(letter.value()).isEqualTo(poison.value());
            assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("invalid_request");
            assertThat(header(letter, DeadLetterHeaders.DETAIL))
                    .isEqualTo("conversation: not a conversation id: not-a-conversation");
            assertThat(header(letter, DeadLetterHeaders.SOURCE)).isEqualTo("courier.expanded/5/" + poison.offset());
        });
    }

    @Test
    void deadLettersABatchOfOnlyBadRecordsWithoutPublishingAnything() {
        ConsumerRecord<String, String> bad = record(Records.encode(message("g:Bad", "alice", null, "weibo.a")));

        outbound().on(List.of(bad));

        assertThat(published("weibo")).isEmpty();
        assertThat(deadLetters.records())
                .singleElement()
                .satisfies(letter ->
                        assertThat(header(letter, DeadLetterHeaders.DETAIL)).startsWith("conversation: "));
    }

    /**
     * The entry of a recall ({@code text} null) or an edit of {@code target}, as the fanout-worker announces it: its
     * content names the target by its Courier message id.
     */
    private static ExpandedMessage change(
            String conversation,
            String from,
            ExpandedMessage.Target target,
            @Nullable String text,
            long convSeq,
            String... bridgeRecipients) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("target", target.messageId());
        if (text != null) {
            content.put("text", text);
        }
        return new ExpandedMessage(
                uniqueId("c"),
                conversation,
                from,
                text == null ? "recall" : "edit",
                content,
                SENT_AT,
                null,
                List.of(bridgeRecipients),
                target,
                convSeq);
    }

    @Test
    void publishesARecallAndAnEditOfACourierMessageWithItsMessageIdAsTheTarget() {
        String group = "g:" + uniqueId("team");
        ExpandedMessage.Target target = new ExpandedMessage.Target(uniqueId("m"), null, uniqueId("client"));
        ExpandedMessage edit = change(group, "alice", target, "fixed the typo", 7, "weibo.a", "wechat.c");
        ExpandedMessage recall = change(group, "alice", target, null, 8, "weibo.a", "wechat.c");

        outbound().on(List.of(record(edit), record(recall)));

        for (String system : List.of("weibo", "wechat")) {
            String user = system.equals("weibo") ? "a" : "c";
            assertThat(published(system))
                    .as(system)
                    .containsExactly(envelope(system, edit, group, user), envelope(system, recall, group, user));
        }
        JsonNode published = published("weibo").getFirst();
        assertThat(published.path("kind").asString()).isEqualTo("edit");
        assertThat(published.path("externalId").asString()).isEqualTo(edit.messageId());
        assertThat(published.path("convSeq").asLong()).isEqualTo(7);
        assertThat(published.path("content").path("target").asString()).isEqualTo(target.messageId());
        assertThat(published.path("content").path("text").asString()).isEqualTo("fixed the typo");
        assertThat(published("weibo").get(1).path("content").toString())
                .isEqualTo("{\"target\":\"" + target.messageId() + "\"}");
        assertThat(deliveries(recall.messageId()))
                .containsExactly("wechat " + NOW.toEpochMilli(), "weibo " + NOW.toEpochMilli());
    }

    @Test
    void namesTheTargetOfAMessageThatCameFromASystemByThatSystemsOwnExternalIdForItAlone() {
        String conversation = "g:" + uniqueId("team");
        String externalId = uniqueId("wb");
        ExpandedMessage.Target fromWeibo = new ExpandedMessage.Target(uniqueId("b"), "weibo", externalId);
        ExpandedMessage recall = change(conversation, "alice", fromWeibo, null, 3, "weibo.x", "wechat.c");
        ExpandedMessage edit = change(conversation, "alice", fromWeibo, "corrected", 4, "weibo.x", "wechat.c");

        outbound().on(List.of(record(recall), record(edit)));

        assertThat(published("weibo"))
                .extracting(
                        e -> e.path("kind").asString(),
                        e -> e.path("content").path("target").asString())
                .containsExactly(tuple("recall", externalId), tuple("edit", externalId));
        assertThat(published("wechat"))
                .extracting(
                        e -> e.path("kind").asString(),
                        e -> e.path("content").path("target").asString())
                .containsExactly(tuple("recall", fromWeibo.messageId()), tuple("edit", fromWeibo.messageId()));
        assertThat(published("weibo").get(1).path("content").path("text").asString())
                .isEqualTo("corrected");
        assertThat(published("weibo"))
                .extracting(e -> e.path("convSeq").asLong())
                .containsExactly(3L, 4L);
        // the content of the record itself is left as the fanout-worker announced it
        assertThat(recall.content().path("target").asString()).isEqualTo(fromWeibo.messageId());
    }

    @Test
    void addressesTheChangeOfADirectMessageToTheExternalUser() {
        String conversation = "d:alice:weibo.x";
        ExpandedMessage.Target target = new ExpandedMessage.Target(uniqueId("m"), null, uniqueId("client"));
        ExpandedMessage recall = change(conversation, "alice", target, null, 2, "weibo.x");

        outbound().on(List.of(record(recall)));

        assertThat(out.get("weibo").records()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(conversation);
            assertThat(Json.MAPPER.readTree(r.value())).isEqualTo(envelope("weibo", recall, "u:x", "x"));
        });
    }

    @Test
    void everyEnvelopeCarriesTheMessagesConvSeq() {
        String group = "g:" + uniqueId("team");
        ExpandedMessage message = new ExpandedMessage(
                uniqueId("m"),
                group,
                "alice",
                "text",
                Json.MAPPER.getNodeFactory().stringNode("number 42"),
                SENT_AT,
                null,
                List.of("weibo.a"),
                null,
                42);

        outbound().on(List.of(record(message)));

        assertThat(published("weibo")).singleElement().satisfies(envelope -> {
            assertThat(envelope.path("convSeq").isIntegralNumber()).isTrue();
            assertThat(envelope.path("convSeq").asLong()).isEqualTo(42);
        });
    }

    @Test
    void deadLettersAChangeWithoutItsTargetOrATargetOnAnotherKind() {
        String group = "g:" + uniqueId("team");
        ExpandedMessage.Target target = new ExpandedMessage.Target(uniqueId("m"), null, uniqueId("client"));
        ObjectNode noTarget =
                (ObjectNode) Json.MAPPER.readTree(Records.encode(change(group, "alice", target, null, 2, "weibo.a")));
        noTarget.remove("target");
        ObjectNode noContentTarget =
                (ObjectNode) Json.MAPPER.readTree(Records.encode(change(group, "alice", target, "x", 3, "weibo.a")));
        ((ObjectNode) noContentTarget.get("content")).remove("target");
        ObjectNode editWithoutText =
                (ObjectNode) Json.MAPPER.readTree(Records.encode(change(group, "alice", target, "x", 4, "weibo.a")));
        ((ObjectNode) editWithoutText.get("content")).remove("text");
        ObjectNode textWithTarget =
                (ObjectNode) Json.MAPPER.readTree(Records.encode(message(group, "alice", null, "weibo.a")));
        textWithTarget.set(
                "target",
                Json.MAPPER
                        .readTree(Records.encode(change(group, "alice", target, null, 2)))
                        .get("target"));
        List<ConsumerRecord<String, String>> bad = List.of(
                record(noTarget.toString()),
                record(noContentTarget.toString()),
                record(editWithoutText.toString()),
                record(textWithTarget.toString()));

        outbound().on(bad);

        assertThat(published("weibo")).isEmpty();
        assertThat(deadLetters.records())
                .extracting(r -> header(r, DeadLetterHeaders.REASON), r -> header(r, DeadLetterHeaders.DETAIL))
                .satisfiesExactly(
                        letter -> assertThat(letter.toList())
                                .containsExactly(
                                        "invalid_request",
                                        "target: the " + "message changed, with its origin and client message id"),
                        letter -> assertThat(letter.toList().get(1)).asString().startsWith("content.target: "),
                        letter -> assertThat(letter.toList().get(1)).asString().startsWith("content: "),
                        letter -> assertThat(letter.toList().get(1)).asString().startsWith("target: "));
    }

    /** A real template whose sends fail, without reaching Kafka, while {@link #failing} is set. */
    private static final class FlakyKafkaTemplate extends KafkaTemplate<String, String> {

        volatile boolean failing;

        FlakyKafkaTemplate(KafkaTemplate<String, String> real) {
            super(real.getProducerFactory());
        }

        @Override
        public CompletableFuture<SendResult<String, String>> send(String topic, String key, String data) {
            return failing
                    ? CompletableFuture.failedFuture(new KafkaException("broker unavailable"))
                    : super.send(topic, key, data);
        }
    }
}
