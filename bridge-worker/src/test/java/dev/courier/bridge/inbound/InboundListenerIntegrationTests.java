package dev.courier.bridge.inbound;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.bridge.BridgeProperties;
import dev.courier.bridge.DeadLetters;
import dev.courier.bridge.TestServers;
import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.DeadLetterHeaders;
import dev.courier.common.Json;
import dev.courier.common.MessageId;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.store.AccountRepository;
import dev.courier.store.MembershipRepository;

import static dev.courier.bridge.TestServers.header;
import static dev.courier.bridge.TestServers.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The inbound stage against the real database and Kafka, fed batches as its listener container would: what each
 * envelope becomes on {@code courier.conversations}, the bridge identities it creates, the permissions of each system,
 * and the dead letters of envelopes that can never be delivered.
 */
class InboundListenerIntegrationTests {

    /** The bridge's clock, with more precision than a message keeps. */
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00.123456789Z");

    /** Where the system {@code partial} may write; {@code locked} may write nowhere. */
    private static final String ALLOWED_USER = uniqueId("allowed");

    private static final String ALLOWED_GROUP = uniqueId("allowed-g");

    private static final String UNCONFIGURED = "unconfigured";

    private static AccountRepository accounts;

    private static MembershipRepository memberships;

    private final BridgeProperties properties = new BridgeProperties(
            Map.of(
                    "weibo", new BridgeProperties.SystemSettings(List.of("*"), List.of("*")),
                    "partial", new BridgeProperties.SystemSettings(List.of(ALLOWED_USER), List.of(ALLOWED_GROUP)),
                    "locked", new BridgeProperties.SystemSettings(List.of(), List.of())),
            DataSize.ofKilobytes(64),
            16_384);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    private final InboundListener inbound = new InboundListener(
            new BridgeDirectory(accounts, memberships, clock),
            new DeadLetters(TestServers.kafka(), meters),
            TestServers.kafka(),
            properties,
            clock,
            meters);

    private final AtomicLong offsets = new AtomicLong();

    private final TestServers.TopicTail conversations = TestServers.tail(Topics.CONVERSATIONS);

    private final Map<String, TestServers.TopicTail> deadLetters = new LinkedHashMap<>();

    @BeforeAll
    static void createTopics() {
        TestServers.createTopic(Topics.CONVERSATIONS, 8);
        for (String system : List.of("weibo", "partial", "locked", UNCONFIGURED)) {
            TestServers.createTopic(Topics.deadLetter(Topics.bridgeIn(system)), 1);
        }
        accounts = new AccountRepository(TestServers.jdbc());
        memberships = new MembershipRepository(TestServers.jdbc());
        accounts.createPerson(ALLOWED_USER, "Allowed", "hash", 0);
        accounts.createPerson(ALLOWED_USER + "-owner", "Owner", "hash", 0);
        memberships.create(ALLOWED_GROUP, "Allowed", ALLOWED_USER + "-owner", List.of(ALLOWED_USER + "-owner"), 0);
    }

    @AfterEach
    void closeTails() {
        conversations.close();
        deadLetters.values().forEach(TestServers.TopicTail::close);
    }

    private static ObjectNode envelope(String system, String externalId, String from, String to, String text) {
        return Json.MAPPER
                .createObjectNode()
                .put("v", 1)
                .put("system", system)
                .put("externalId", externalId)
                .put("from", from)
                .put("to", to)
                .put("kind", "text")
                .put("content", text);
    }

    private static ObjectNode envelope(String externalId, String from, String to, String text) {
        return envelope("weibo", externalId, from, to, text);
    }

    /** A change of the system's own message {@code target}: a recall, or with {@code text} an edit. */
    private static ObjectNode change(String externalId, String from, String to, String target, @Nullable String text) {
        ObjectNode change = envelope(externalId, from, to, "unused").put("kind", text == null ? "recall" : "edit");
        ObjectNode content = change.putObject("content").put("target", target);
        if (text != null) {
            content.put("text", text);
        }
        return change;
    }

    /** A record of {@code courier.bridge.in.<system>}, at the next offset of partition 2. */
    private ConsumerRecord<String, String> record(String system, String key, String value) {
        return new ConsumerRecord<>(Topics.bridgeIn(system), 2, offsets.incrementAndGet(), key, value);
    }

    private ConsumerRecord<String, String> record(ObjectNode envelope) {
        return record(
                envelope.path("system").asString(), envelope.path("externalId").asString(), envelope.toString());
    }

    /** Opens the tail of the system's dead-letter topic before anything is sent there. */
    private TestServers.TopicTail deadLetters(String system) {
        return deadLetters.computeIfAbsent(system, s -> TestServers.tail(Topics.deadLetter(Topics.bridgeIn(s))));
    }

    private List<ConversationRecord> conversation(String key) {
        return conversations.records(key).stream()
                .map(r -> Records.decodeConversation(r.value()))
                .toList();
    }

    private static String person(String prefix) {
        String userId = uniqueId(prefix);
        accounts.createPerson(userId, userId, "hash", 0);
        return userId;
    }

    private static String group(String owner, String... members) {
        String groupId = uniqueId("g");
        List<String> all = new ArrayList<>(List.of(owner));
        all.addAll(List.of(members));
        memberships.create(groupId, "G", owner, all, 0);
        return groupId;
    }

    private double deadLettered(String reason) {
        return meters.find("courier.bridge.dlt").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    @Test
    void turnsAnEnvelopeToAUserIntoAMessageFromTheBridgeIdentityInTheirDirectConversation() {
        String bob = person("bob");
        String from = uniqueId("fan");
        String externalId = uniqueId("wb");
        ObjectNode envelope =
                envelope(externalId, from, "u:" + bob, "hello from outside").put("sentAt", "2026-11-21T09:00:00.5Z");

        inbound.on(List.of(record(envelope)));

        String conversation = ConversationId.direct(bob, "weibo." + from).value();
        assertThat(conversation(conversation))
                .containsExactly(new ConversationRecord.MessagePosted(
                        MessageId.forBridge("weibo", externalId),
                        externalId,
                        conversation,
                        "weibo." + from,
                        "text",
                        envelope.get("content"),
                        Instant.parse("2026-11-21T09:00:00.5Z"),
                        "weibo"));
        assertThat(meters.counter("courier.bridge.inbound.accepted").count()).isEqualTo(1);
    }

    @Test
    void datesAnEnvelopeWithoutSentAtWithTheBridgesTimeToTheMillisecond() {
        String bob = person("bob");
        String from = uniqueId("fan");

        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "u:" + bob, "when?"))));

        assertThat(conversation(ConversationId.direct(bob, "weibo." + from).value()))
                .singleElement()
                .isInstanceOfSatisfying(
                        ConversationRecord.MessagePosted.class,
                        message -> assertThat(message.sentAt()).isEqualTo(Instant.parse("2026-11-21T10:00:00.123Z")));
    }

    @Test
    void createsTheSendersBridgeIdentityOnFirstUseAsAnAccountWithoutAPassword() {
        String bob = person("bob");
        String from = uniqueId("fan");

        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "u:" + bob, "one"))));
        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "u:" + bob, "two"))));

        assertThat(TestServers.jdbc()
                        .sql("SELECT kind, password_hash, display_name, created_at FROM accounts WHERE user_id = ?")
                        .param("weibo." + from)
                        .query((rs, row) -> List.of(
                                rs.getString(1), String.valueOf(rs.getString(2)), rs.getString(3), rs.getLong(4)))
                        .list())
                .containsExactly(List.of("bridge", "null", from + " (weibo)", NOW.toEpochMilli()));
        assertThat(conversation(ConversationId.direct(bob, "weibo." + from).value()))
                .hasSize(2);
    }

    @Test
    void aBridgeIdentityOfAnotherSystemIsAnotherUser() {
        String target = person("target");
        String from = uniqueId("fan");
        String externalId = uniqueId("ext");

        inbound.on(List.of(
                record(envelope("weibo", externalId, from, "u:" + target, "w")),
                record(envelope("partial", externalId, from, "u:" + ALLOWED_USER, "p"))));

        assertThat(accounts.kind("weibo." + from)).contains("bridge");
        assertThat(accounts.kind("partial." + from)).contains("bridge");
        List<ConversationRecord> weibo =
                conversation(ConversationId.direct(target, "weibo." + from).value());
        List<ConversationRecord> partial = conversation(
                ConversationId.direct(ALLOWED_USER, "partial." + from).value());
        assertThat(weibo)
                .singleElement()
                .isInstanceOfSatisfying(
                        ConversationRecord.MessagePosted.class,
                        m -> assertThat(m.messageId()).isEqualTo(MessageId.forBridge("weibo", externalId)));
        assertThat(partial)
                .singleElement()
                .isInstanceOfSatisfying(
                        ConversationRecord.MessagePosted.class,
                        m -> assertThat(m.messageId())
                                .isEqualTo(MessageId.forBridge("partial", externalId))
                                .isNotEqualTo(MessageId.forBridge("weibo", externalId)));
    }

    @Test
    void turnsAReplayedEnvelopeIntoTheSameMessageEveryTime() {
        String bob = person("bob");
        String externalId = uniqueId("wb");
        ConsumerRecord<String, String> envelope = record(envelope(externalId, "replayer", "u:" + bob, "once only"));

        inbound.on(List.of(envelope, envelope));
        inbound.on(List.of(envelope));
        // a replay whose text changed is still the same message: (system, externalId) identifies it
        inbound.on(List.of(record(envelope(externalId, "replayer", "u:" + bob, "changed"))));

        assertThat(conversation(ConversationId.direct(bob, "weibo.replayer").value()))
                .hasSize(4)
                .allSatisfy(r -> assertThat(((ConversationRecord.MessagePosted) r).messageId())
                        .isEqualTo(MessageId.forBridge("weibo", externalId)));
    }

    @Test
    void precedesTheFirstPostOfAnIdentityToAGroupWithItsJoin() {
        String owner = person("owner");
        String groupId = group(owner);
        String from = uniqueId("fan");
        String externalId = uniqueId("wb");

        inbound.on(List.of(record(envelope(externalId, from, "g:" + groupId, "hello group"))));

        List<ConversationRecord> records = conversation("g:" + groupId);
        assertThat(records).hasSize(2);
        assertThat(records.getFirst()).isInstanceOfSatisfying(ConversationRecord.MembersAdded.class, join -> {
            assertThat(join.groupId()).isEqualTo(groupId);
            assertThat(join.userIds()).containsExactly("weibo." + from);
            assertThat(join.by()).isEqualTo("bridge:weibo");
            assertThat(join.at()).isEqualTo(Instant.parse("2026-11-21T10:00:00.123Z"));
        });
        assertThat(records.get(1))
                .isEqualTo(new ConversationRecord.MessagePosted(
                        MessageId.forBridge("weibo", externalId),
                        externalId,
                        "g:" + groupId,
                        "weibo." + from,
                        "text",
                        Json.MAPPER.getNodeFactory().stringNode("hello group"),
                        Instant.parse("2026-11-21T10:00:00.123Z"),
                        "weibo"));
    }

    @Test
    void joinsOnceForManyPostsOfOneIdentityInABatch() {
        String groupId = group(person("owner"));
        String from = uniqueId("fan");
        String other = uniqueId("fan");

        inbound.on(List.of(
                record(envelope(uniqueId("wb"), from, "g:" + groupId, "1")),
                record(envelope(uniqueId("wb"), from, "g:" + groupId, "2")),
                record(envelope(uniqueId("wb"), other, "g:" + groupId, "3"))));

        assertThat(conversation("g:" + groupId))
                .extracting(ConversationRecord::type)
                .containsExactly("members.added", "message", "message", "members.added", "message");
    }

    @Test
    void doesNotJoinAgainWhileItsAcknowledgedJoinIsOnItsWayThroughTheGroupsLog() {
        String groupId = group(person("owner"));
        String from = uniqueId("fan");

        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "g:" + groupId, "first"))));
        // no fanout-worker here: the join is not applied yet
        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "g:" + groupId, "second"))));

        assertThat(conversation("g:" + groupId))
                .extracting(ConversationRecord::type)
                .containsExactly("members.added", "message", "message");
    }

    @Test
    void aMemberPostsToItsGroupWithoutJoining() {
        String from = uniqueId("fan");
        accounts.createBridgeIdentity("weibo." + from, from, 0);
        String groupId = group(person("owner"), "weibo." + from);

        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "g:" + groupId, "as a member"))));

        assertThat(conversation("g:" + groupId))
                .extracting(ConversationRecord::type)
                .containsExactly("message");
    }

    @Test
    void anIdentityRemovedAfterItsJoinWasAppliedJoinsAgainOnItsNextPost() {
        String groupId = group(person("owner"));
        String from = uniqueId("fan");
        String identity = "weibo." + from;

        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "g:" + groupId, "first post"))));
        ConversationRecord.MembersAdded join =
                (ConversationRecord.MembersAdded) conversation("g:" + groupId).getFirst();
        // what the fanout-worker does with the join, and then with the owner's removal of the identity
        memberships.join(groupId, identity, 2);
        memberships.recordEvent(join.eventId(), groupId, 2, 0);
        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "g:" + groupId, "as a member"))));
        memberships.leave(groupId, identity, 3);
        memberships.recordEvent(uniqueId("removal"), groupId, 3, 0);
        inbound.on(List.of(record(envelope(uniqueId("wb"), from, "g:" + groupId, "second post"))));

        List<ConversationRecord> records = conversation("g:" + groupId);
        assertThat(records)
                .extracting(ConversationRecord::type)
                .containsExactly("members.added", "message", "message", "members.added", "message");
        assertThat(((ConversationRecord.MembersAdded) records.get(3)).eventId()).isNotEqualTo(join.eventId());
    }

    @Test
    void aSystemWritesOnlyToTheUsersAndGroupsItsSettingsAllow() {
        String bob = person("bob");
        String otherGroup = group(person("owner"));
        String from = uniqueId("fan");
        TestServers.TopicTail partialDlt = deadLetters("partial");
        TestServers.TopicTail lockedDlt = deadLetters("locked");
        ObjectNode toAllowedUser = envelope("partial", uniqueId("p"), from, "u:" + ALLOWED_USER, "allowed");
        ObjectNode toAllowedGroup = envelope("partial", uniqueId("p"), from, "g:" + ALLOWED_GROUP, "allowed");
        ObjectNode toOtherUser = envelope("partial", uniqueId("p"), from, "u:" + bob, "refused");
        ObjectNode toOtherGroup = envelope("partial", uniqueId("p"), from, "g:" + otherGroup, "refused");
        ObjectNode lockedToUser = envelope("locked", uniqueId("l"), from, "u:" + ALLOWED_USER, "refused");
        ObjectNode lockedToGroup = envelope("locked", uniqueId("l"), from, "g:" + ALLOWED_GROUP, "refused");

        inbound.on(List.of(
                record(toAllowedUser),
                record(toAllowedGroup),
                record(toOtherUser),
                record(toOtherGroup),
                record(lockedToUser),
                record(lockedToGroup)));

        assertThat(conversation(
                        ConversationId.direct(ALLOWED_USER, "partial." + from).value()))
                .hasSize(1);
        assertThat(conversation("g:" + ALLOWED_GROUP))
                .extracting(ConversationRecord::type)
                .containsExactly("members.added", "message");
        assertThat(conversation("g:" + otherGroup)).isEmpty();
        assertThat(conversation(ConversationId.direct(bob, "partial." + from).value()))
                .isEmpty();
        assertThat(partialDlt.records())
                .extracting(
                        ConsumerRecord::value,
                        r -> header(r, DeadLetterHeaders.REASON),
                        r -> header(r, DeadLetterHeaders.DETAIL))
                .containsExactly(
                        tuple(toOtherUser.toString(), "forbidden", "to: partial may not write to u:" + bob),
                        tuple(toOtherGroup.toString(), "forbidden", "to: partial may not write to g:" + otherGroup));
        assertThat(lockedDlt.records())
                .extracting(ConsumerRecord::value, r -> header(r, DeadLetterHeaders.REASON))
                .containsExactly(
                        tuple(lockedToUser.toString(), "forbidden"), tuple(lockedToGroup.toString(), "forbidden"));
        // a refused system creates no identity
        assertThat(accounts.kind("locked." + from)).isEmpty();
    }

    @Test
    void refusesASystemBeforeLookingForItsTarget() {
        TestServers.TopicTail dlt = deadLetters("locked");
        ObjectNode toNobody = envelope("locked", uniqueId("l"), "x", "u:" + uniqueId("nobody"), "t");

        inbound.on(List.of(record(toNobody)));

        assertThat(dlt.records())
                .singleElement()
                .satisfies(r -> assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("forbidden"));
    }

    @Test
    void deadLettersAnEnvelopeOfAnUnconfiguredSystem() {
        TestServers.TopicTail dlt = deadLetters(UNCONFIGURED);
        String bob = person("bob");
        ConsumerRecord<String, String> record = record(
                UNCONFIGURED,
                "k-1",
                envelope(UNCONFIGURED, uniqueId("u"), "x", "u:" + bob, "t").toString());

        inbound.on(List.of(record));

        assertThat(dlt.records()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo("k-1");
            assertThat(letter.value()).isEqualTo(record.value());
            assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("forbidden");
            assertThat(header(letter, DeadLetterHeaders.DETAIL)).isEqualTo("system: 'unconfigured' is not configured");
            assertThat(header(letter, DeadLetterHeaders.SOURCE))
                    .isEqualTo("courier.bridge.in.unconfigured/2/" + record.offset());
        });
        assertThat(accounts.kind(UNCONFIGURED + ".x")).isEmpty();
        assertThat(meters.find("courier.bridge.dlt")
                        .tags("reason", "forbidden", "topic", "courier.bridge.in.unconfigured")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void deadLettersEveryKindOfBadEnvelopeWithItsReasonAndDeliversTheGoodOnesOfTheBatch() {
        TestServers.TopicTail dlt = deadLetters("weibo");
        String bob = person("bob");
        String to = "u:" + bob;
        String impostor = uniqueId("impostor");
        accounts.createPerson("weibo." + impostor, "A person", "hash", 0);
        String run = uniqueId("run");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("not json " + run, "invalid_request");
        bad.put("{\"v\":1,\"system\":\"weibo\",\"externalId\":\"" + run + "-a\"}", "invalid_request");
        bad.put(envelope(run + "-b", "x", to, "t").put("kind", "hologram").toString(), "invalid_request");
        bad.put(envelope(run + "-c", "x", to, "y".repeat(70 * 1024)).toString(), "payload_too_large");
        bad.put(envelope(run + "-c2", "x", to, "y".repeat(16 * 1024 + 1)).toString(), "payload_too_large");
        bad.put(envelope(run + "-d", "x", "u:nobody-" + run, "t").toString(), "not_found");
        bad.put(envelope(run + "-e", "x", "g:nogroup-" + run, "t").toString(), "not_found");
        bad.put(envelope(run + "-e2", "x", "u:weibo.x", "to itself").toString(), "not_found");
        bad.put(envelope(run + "-f", "x", to, "t").put("system", "other").toString(), "forbidden");
        bad.put(envelope(run + "-g", "Not Valid", to, "t").toString(), "invalid_request");
        bad.put(envelope(run + "-h", "x", to, "t").put("kind", "image").toString(), "invalid_request");
        bad.put(envelope(run + "-i", impostor, to, "a person's id").toString(), "conflict");
        bad.put(envelope(run + "-j", "x", to, "t").put("v", 4_294_967_297L).toString(), "invalid_request");
        bad.put(envelope(run + "-k", "x", to, "t").put("sentAt", 1_763_719_200L).toString(), "invalid_request");
        List<ConsumerRecord<String, String>> batch = new ArrayList<>();
        ConsumerRecord<String, String> noValue = record("weibo", run, null);
        batch.add(noValue);
        bad.keySet().forEach(value -> batch.add(record("weibo", run, value)));
        ObjectNode good = envelope(run + "-good", "good-sender", to, "still flowing");
        batch.add(1, record(good));
        batch.add(record(envelope(run + "-good2", "good-sender", to, "after the bad ones")));

        inbound.on(batch);

        assertThat(conversation(ConversationId.direct(bob, "weibo.good-sender").value()))
                .extracting(
                        r -> ((ConversationRecord.MessagePosted) r).content().stringValue())
                .containsExactly("still flowing", "after the bad ones");
        List<ConsumerRecord<String, String>> letters = dlt.records(run);
        assertThat(letters).hasSize(bad.size() + 1);
        assertThat(letters.getFirst().value()).isNull();
        assertThat(header(letters.getFirst(), DeadLetterHeaders.REASON)).isEqualTo("invalid_request");
        assertThat(header(letters.getFirst(), DeadLetterHeaders.DETAIL)).startsWith("envelope: ");
        for (ConsumerRecord<String, String> letter : letters.subList(1, letters.size())) {
            assertThat(bad).containsKey(letter.value());
            assertThat(header(letter, DeadLetterHeaders.REASON))
                    .as(letter.value())
                    .isEqualTo(bad.get(letter.value()));
            assertThat(header(letter, DeadLetterHeaders.DETAIL))
                    .as(letter.value())
                    .matches("(?s)[a-zA-Z.]+: .+");
        }
        assertThat(letters)
                .extracting(r -> header(r, DeadLetterHeaders.SOURCE))
                .containsExactlyElementsOf(batch.stream()
                        .filter(r -> r.value() == null || bad.containsKey(r.value()))
                        .map(r -> "courier.bridge.in.weibo/2/" + r.offset())
                        .toList());
        assertThat(deadLettered("not_found")).isEqualTo(3);
        assertThat(deadLettered("invalid_request")).isEqualTo(8);
        assertThat(deadLettered("payload_too_large")).isEqualTo(2);
        assertThat(deadLettered("conflict")).isEqualTo(1);
        assertThat(meters.counter("courier.bridge.inbound.accepted").count()).isEqualTo(2);
    }

    @Test
    void turnsARecallAndAnEditEnvelopeIntoChangesOfTheSystemsOwnMessage() {
        String bob = person("bob");
        String from = uniqueId("fan");
        String original = uniqueId("wb");
        String editId = uniqueId("wb-edit");
        inbound.on(List.of(record(envelope(original, from, "u:" + bob, "helo"))));

        inbound.on(List.of(
                record(change(editId, from, "u:" + bob, original, "hello")),
                record(change(uniqueId("wb-recall"), from, "u:" + bob, original, null))));

        String conversation = ConversationId.direct(bob, "weibo." + from).value();
        String target = MessageId.forBridge("weibo", original);
        Instant now = Instant.parse("2026-11-21T10:00:00.123Z");
        List<ConversationRecord> records = conversation(conversation);
        assertThat(records).hasSize(3);
        assertThat(records.subList(1, 3))
                .containsExactly(
                        new ConversationRecord.MessageEdited(
                                MessageId.forBridge("weibo", editId),
                                conversation,
                                target,
                                "weibo." + from,
                                "hello",
                                now),
                        new ConversationRecord.MessageRecalled(conversation, target, "weibo." + from, now));
        assertThat(records.getFirst())
                .isInstanceOfSatisfying(
                        ConversationRecord.MessagePosted.class,
                        m -> assertThat(m.messageId()).isEqualTo(target));
        assertThat(meters.counter("courier.bridge.inbound.accepted").count()).isEqualTo(3);
    }

    @Test
    void aChangeInAGroupIsACheckedChangeOfThatGroupsConversation() {
        String from = uniqueId("fan");
        accounts.createBridgeIdentity("weibo." + from, from, 0);
        String groupId = group(person("owner"), "weibo." + from);
        String original = uniqueId("wb");

        inbound.on(List.of(record(change(uniqueId("wb-recall"), from, "g:" + groupId, original, null))));

        // whether the target is the identity's own message of this group is checked at its point in the log
        assertThat(conversation("g:" + groupId))
                .containsExactly(new ConversationRecord.MessageRecalled(
                        "g:" + groupId,
                        MessageId.forBridge("weibo", original),
                        "weibo." + from,
                        Instant.parse("2026-11-21T10:00:00.123Z")));
    }

    @Test
    void aReplayedEditEnvelopeIsTheSameEditEveryTime() {
        String bob = person("bob");
        String from = uniqueId("fan");
        String editId = uniqueId("wb-edit");
        ConsumerRecord<String, String> edit = record(change(editId, from, "u:" + bob, uniqueId("wb"), "once"));

        inbound.on(List.of(edit, edit));
        inbound.on(List.of(edit));
        // a replay whose text changed is still the same edit: (system, externalId) identifies it
        inbound.on(List.of(record(change(editId, from, "u:" + bob, uniqueId("wb"), "changed"))));

        assertThat(conversation(ConversationId.direct(bob, "weibo." + from).value()))
                .hasSize(4)
                .allSatisfy(r -> assertThat(((ConversationRecord.MessageEdited) r).eventId())
                        .isEqualTo(MessageId.forBridge("weibo", editId)));
    }

    @Test
    void deadLettersEveryBadRecallAndEditEnvelopeWithItsReasonAndDeliversTheGoodOnesOfTheBatch() {
        TestServers.TopicTail dlt = deadLetters("weibo");
        String bob = person("bob");
        String to = "u:" + bob;
        String run = uniqueId("run");
        String from = uniqueId("fan");
        Map<String, String[]> bad = new LinkedHashMap<>();
        bad.put(
                change(run + "-a", from, to, "t", null).without("content").toString(),
                new String[] {"invalid_request", "content.target: "});
        bad.put(
                change(run + "-b", from, to, "t", null).put("content", "t").toString(),
                new String[] {"invalid_request", "content.target: "});
        ObjectNode noTarget = change(run + "-c", from, to, "t", "text");
        ((ObjectNode) noTarget.get("content")).remove("target");
        bad.put(noTarget.toString(), new String[] {"invalid_request", "content.target: "});
        ObjectNode numberTarget = change(run + "-d", from, to, "t", null);
        ((ObjectNode) numberTarget.get("content")).put("target", 42);
        bad.put(numberTarget.toString(), new String[] {"invalid_request", "content.target: "});
        bad.put(
                change(run + "-e", from, to, "has space", null).toString(),
                new String[] {"invalid_request", "content.target: "});
        bad.put(
                change(run + "-f", from, to, "x".repeat(65), "text").toString(),
                new String[] {"invalid_request", "content.target: "});
        ObjectNode noText = change(run + "-g", from, to, "t", "text");
        ((ObjectNode) noText.get("content")).remove("text");
        bad.put(noText.toString(), new String[] {"invalid_request", "content.text: is required"});
        bad.put(
                change(run + "-h", from, to, "t", "").toString(),
                new String[] {"invalid_request", "content.text: must not be empty"});
        bad.put(change(run + "-i", from, to, "t", "y".repeat(16 * 1024 + 1)).toString(), new String[] {
            "payload_too_large", "content.text: text is 16385 bytes"
        });
        List<ConsumerRecord<String, String>> batch = new ArrayList<>();
        bad.keySet().forEach(value -> batch.add(record("weibo", run, value)));
        batch.add(3, record(change(run + "-good", from, to, "t", "fine")));
        batch.add(record(change(run + "-good2", from, to, "t", null)));

        inbound.on(batch);

        assertThat(conversation(ConversationId.direct(bob, "weibo." + from).value()))
                .extracting(ConversationRecord::type)
                .containsExactly("message.edited", "message.recalled");
        List<ConsumerRecord<String, String>> letters = dlt.records(run);
        assertThat(letters).extracting(ConsumerRecord::value).containsExactlyElementsOf(bad.keySet());
        for (ConsumerRecord<String, String> letter : letters) {
            String[] why = bad.get(letter.value());
            assertThat(header(letter, DeadLetterHeaders.REASON))
                    .as(letter.value())
                    .isEqualTo(why[0]);
            assertThat(header(letter, DeadLetterHeaders.DETAIL))
                    .as(letter.value())
                    .startsWith(why[1]);
            assertThat(header(letter, DeadLetterHeaders.SOURCE)).startsWith("courier.bridge.in.weibo/2/");
        }
        assertThat(deadLettered("invalid_request")).isEqualTo(8);
        assertThat(deadLettered("payload_too_large")).isEqualTo(1);
        assertThat(meters.counter("courier.bridge.inbound.accepted").count()).isEqualTo(2);
    }
}
