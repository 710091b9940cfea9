package dev.courier.common;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordsTests {

    private static final Instant AT = Instant.parse("2026-11-21T10:00:00.123Z");

    @Test
    void roundTripsConversationRecords() {
        ConversationRecord message = new ConversationRecord.MessagePosted(
                "m1",
                "c1",
                "g:team",
                "alice",
                "text",
                StringNode.valueOf("hi"),
                Instant.parse("2026-11-21T10:00:00.123Z"),
                null);
        ConversationRecord added = new ConversationRecord.MembersAdded(
                "e1", "team", List.of("bob"), "alice", Instant.parse("2026-11-21T10:00:00Z"));
        ConversationRecord removed = new ConversationRecord.MemberRemoved(
                "e2", "team", "bob", "alice", Instant.parse("2026-11-21T10:00:00Z"));
        for (ConversationRecord record : List.of(message, added, removed)) {
            String json = Records.encode(record);
            assertThat(json).contains("\"type\":\"" + record.type() + "\"", "\"v\":1");
            assertThat(Records.decodeConversation(json)).isEqualTo(record);
        }
        assertThat(Records.encode(message)).contains("\"sentAt\":\"2026-11-21T10:00:00.123Z\"");
    }

    @Test
    void roundTripsInboxEntries() {
        InboxEntry entry = new InboxEntry("bob", "m1", "g:team");
        assertThat(Records.decodeInbox(Records.encode(entry))).isEqualTo(entry);
    }

    @Test
    void encodesInboxEntriesExactlyAsTheGeneralEncoding() {
        List<InboxEntry> entries = List.of(
                new InboxEntry("bob", "m2dfx3dkfy9vt7fgaqtjcrp2zr", "d:alice:bob"),
                new InboxEntry("b.o-b_1", "bx", "g:team.a-b_c"),
                new InboxEntry("~ !#$%&'()*+,/:;<=>?@[]^`{|}", "m", "g"),
                new InboxEntry("bob", "m\"quoted\\", "g:team"),
                new InboxEntry("b\u00f6b", "m\u2028", "g:t\u007f"),
                new InboxEntry("bob", "m\n\t\u0001", "g:team"),
                new InboxEntry("", "", ""));
        for (InboxEntry entry : entries) {
            ObjectNode general = Json.MAPPER.createObjectNode();
            general.put("type", InboxEntry.TYPE);
            general.put("v", ConversationRecord.VERSION);
            general.setAll((ObjectNode) Json.MAPPER.valueToTree(entry));
            assertThat(Records.encode(entry)).isEqualTo(general.toString());
            if (Ids.isUserId(entry.userId())
                    && Ids.isMessageId(entry.messageId())
                    && entry.conversation().matches("[dg]:[a-z0-9.:_-]+")) {
                assertThat(Records.decodeInbox(Records.encode(entry))).isEqualTo(entry);
            } else {
                // every id is checked against its rule when decoded: such an entry is dead-lettered, never written
                assertThatThrownBy(() -> Records.decodeInbox(Records.encode(entry)))
                        .isInstanceOf(Records.InvalidRecordException.class);
            }
        }
    }

    @Test
    void roundTripsGroupedInboxEntriesInOrder() {
        for (InboxEntries grouped : List.of(
                new InboxEntries("m1", "g:team", List.of("bob", "carol", "dave"), 7, "bob", "text"),
                new InboxEntries("m\"2", "g:t\u00e9am", List.of("b\u00f6b", "x"), 1, "x", "text"),
                new InboxEntries("m3", "d:alice:bob", List.of("alice"), 2, "bob", "image"),
                // as records written before conversations were numbered: no number, sender or kind
                new InboxEntries("m4", "d:alice:bob", List.of("alice"), 0, null, null))) {
            String json = Records.encode(grouped);
            ObjectNode general = Json.MAPPER.createObjectNode();
            general.put("type", InboxEntries.TYPE);
            general.put("v", ConversationRecord.VERSION);
            general.setAll((ObjectNode) Json.MAPPER.valueToTree(grouped));
            assertThat(Json.MAPPER.readTree(json)).isEqualTo(Json.MAPPER.readTree(general.toString()));
            if (grouped.messageId().equals("m\"2")) {
                assertThatThrownBy(() -> Records.decodeInboxRecord(json))
                        .isInstanceOf(Records.InvalidRecordException.class);
                continue;
            }
            assertThat(Records.decodeInboxRecord(json))
                    .containsExactlyElementsOf(grouped.userIds().stream()
                            .map(user -> new InboxRecord.Entry(
                                    user,
                                    grouped.messageId(),
                                    grouped.conversation(),
                                    grouped.convSeq(),
                                    grouped.from(),
                                    grouped.kind()))
                            .toList());
        }
        InboxEntry single = new InboxEntry("bob", "m1", "g:team");
        assertThat(Records.decodeInboxRecord(Records.encode(single)))
                .containsExactly(new InboxRecord.Entry("bob", "m1", "g:team", 0, null, null));
        for (InboxRecord change : List.of(
                new InboxRecord.Read("bob", "g:team", 3),
                new InboxRecord.PeerRead("bob", "d:alice:bob", 4),
                new InboxRecord.Muted("bob", "g:team", true))) {
            assertThat(Records.decodeInboxRecord(Records.encode(change))).containsExactly(change);
        }
        assertThatThrownBy(() -> Records.decodeInboxRecord(Records.encode(new InboxRecord.Read("Bob", "g:team", 3))))
                .hasMessageStartingWith("userId:");
        assertThatThrownBy(() -> Records.decodeInboxRecord(Records.encode(new InboxRecord.Read("bob", "g:team", -3))))
                .hasMessageStartingWith("convSeq:");
        assertThatThrownBy(() -> Records.decodeInboxRecord("{\"type\":\"inbox.entries\",\"v\":1,\"messageId\":\"m\"}"))
                .isInstanceOf(Records.InvalidRecordException.class);
    }

    @Test
    void anInboxEntriesRecordOfTheWrongShapeIsRefusedFieldByField() {
        String base = "{\"type\":\"inbox.entries\",\"v\":1,\"messageId\":\"m1\",\"conversation\":\"g:team\",";
        assertThat(Records.decodeInboxRecord(base + "\"userIds\":[\"bob\",\"carol\"],\"convSeq\":7,\"from\":null}"))
                .containsExactly(
                        new InboxRecord.Entry("bob", "m1", "g:team", 7, null, null),
                        new InboxRecord.Entry("carol", "m1", "g:team", 7, null, null));
        for (String[] bad : List.of(
                new String[] {"\"userIds\":\"bob\"}", "userIds: must be an array"},
                new String[] {"\"userIds\":[\"bob\",7]}", "userIds: must be strings"},
                new String[] {"\"userIds\":[\"bob\",null]}", "missing"},
                new String[] {"\"userIds\":[\"Bob\"]}", "userId:"},
                new String[] {"\"userIds\":[\"\"]}", "userId:"},
                new String[] {"\"userIds\":[\"bob\"],\"convSeq\":\"7\"}", "convSeq: must be an integer"},
                new String[] {"\"userIds\":[\"bob\"],\"convSeq\":1.5}", "convSeq: must be an integer"},
                new String[] {"\"userIds\":[\"bob\"],\"convSeq\":-1}", "convSeq: must not be negative"},
                new String[] {"\"userIds\":[\"bob\"],\"from\":7}", "from: must be a string"},
                new String[] {"\"userIds\":[\"bob\"],\"kind\":\"TEXT\"}", "kind:"},
                new String[] {"\"userIds\":null}", "missing"})) {
            assertThatThrownBy(() -> Records.decodeInboxRecord(base + bad[0]))
                    .as(bad[0])
                    .isInstanceOf(Records.InvalidRecordException.class)
                    .hasMessageContaining(bad[1]);
        }
        assertThat(Ids.isUserId("a".repeat(64))).isTrue();
        assertThat(Ids.isUserId("a".repeat(65))).isFalse();
        assertThat(Ids.isUserId("al.ice_-9")).isTrue();
        assertThat(Ids.isUserId("al ice")).isFalse();
    }

    @Test
    void rejectsUndecodableRecordsWithAReason() {
        assertThatThrownBy(() -> Records.decodeConversation("not json"))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> Records.decodeConversation("{\"type\":\"message\",\"v\":2}"))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> Records.decodeConversation("{\"type\":\"nope\",\"v\":1}"))
                .hasMessageContaining("unknown record type");
        assertThatThrownBy(() -> Records.decodeConversation("{\"type\":\"message\",\"v\":1,\"messageId\":\"m\"}"))
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> Records.decodeInbox("[1,2]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> Records.decodeConversation("{\"type\":\"message\",\"v\":4294967297}"))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessageContaining("version");
    }

    @Test
    void rejectsARecordWithoutAValueOfEveryTopic() {
        // a tombstone, which any producer can write: bad input, never an error that would be retried without end
        assertThatThrownBy(() -> Records.decodeConversation(null))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessage("the record has no value");
        assertThatThrownBy(() -> Records.decodeInboxRecord(null))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessage("the record has no value");
        assertThatThrownBy(() -> Records.decodeInbox(null))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessage("the record has no value");
        assertThatThrownBy(() -> Records.decodeExpanded(null))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessage("the record has no value");
    }

    @Test
    void rejectsAMessageWhoseSentAtNoMillisecondColumnCanHold() {
        ConversationRecord.MessagePosted message = new ConversationRecord.MessagePosted(
                "m1",
                "c1",
                "g:team",
                "alice",
                "text",
                StringNode.valueOf("hi"),
                Instant.parse("+300000000-01-01T00:00:00Z"),
                null);

        assertThatThrownBy(() -> Records.decodeConversation(Records.encode(message)))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessageStartingWith("sentAt: ");
    }

    @Test
    void roundTripsAnExpandedMessage() {
        ExpandedMessage expanded = expanded("m1", "g:team", "alice", "weibo", List.of("weibo.x", "wechat.a.b"));

        assertThat(Records.decodeExpanded(Records.encode(expanded))).isEqualTo(expanded);
        assertThat(Records.decodeExpanded(Records.encode(expanded("m1", "d:alice:weibo.x", "alice", null, List.of()))))
                .isNotNull();
    }

    @Test
    void checksEveryFieldOfAnExpandedMessageAgainstItsRule() {
        java.util.Map<ExpandedMessage, String> invalid = new java.util.LinkedHashMap<>();
        List<String> weibo = List.of("weibo.x");
        invalid.put(expanded("m".repeat(33), "g:team", "alice", null, weibo), "messageId:");
        invalid.put(expanded("m 1", "g:team", "alice", null, weibo), "messageId:");
        invalid.put(expanded("m1", "not-a-conversation", "alice", null, weibo), "conversation:");
        invalid.put(expanded("m1", "d:bob:alice", "alice", null, weibo), "conversation:");
        invalid.put(expanded("m1", "g:Team", "alice", null, weibo), "conversation:");
        invalid.put(expanded("m1", "g:team", "Alice", null, weibo), "from:");
        invalid.put(expanded("m1", "g:team", "a".repeat(65), null, weibo), "from:");
        invalid.put(expanded("m1", "g:team", "alice", "Bad System", weibo), "origin:");
        invalid.put(expanded("m1", "g:team", "alice", "weibo.x", weibo), "origin:");
        invalid.put(expanded("m1", "g:team", "alice", null, List.of("weibo.x", "nodot")), "bridgeRecipients[1]:");
        invalid.put(expanded("m1", "g:team", "alice", null, List.of("weibo.")), "bridgeRecipients[0]:");
        invalid.put(expanded("m1", "g:team", "alice", null, List.of(".x")), "bridgeRecipients[0]:");
        invalid.put(expanded("m1", "g:team", "alice", null, List.of("Weibo.x")), "bridgeRecipients[0]:");
        invalid.put(expanded("m1", "g:team", "alice", null, List.of("weibo.X")), "bridgeRecipients[0]:");
        invalid.put(expanded("m1", "g:team", "alice", null, List.of("")), "bridgeRecipients[0]:");
        invalid.put(expanded("m1", "g:team", "alice", null, List.of("w.".repeat(33))), "bridgeRecipients[0]:");
        invalid.put(
                new ExpandedMessage("m1", "g:team", "alice", "hologram", StringNode.valueOf("x"), AT, null, weibo),
                "kind:");
        invalid.put(
                new ExpandedMessage("m1", "g:team", "alice", "image", StringNode.valueOf("x"), AT, null, weibo),
                "content:");
        invalid.put(
                new ExpandedMessage("m1", "g:team", "alice", "text", StringNode.valueOf(""), AT, null, weibo),
                "content:");
        invalid.put(
                new ExpandedMessage("m1", "g:team", "alice", "text", StringNode.valueOf("\ud800"), AT, null, weibo),
                "content:");
        invalid.put(
                new ExpandedMessage(
                        "m1",
                        "g:team",
                        "alice",
                        "text",
                        StringNode.valueOf("x"),
                        Instant.parse("+300000000-01-01T00:00:00Z"),
                        null,
                        weibo),
                "sentAt:");
        invalid.forEach((record, field) -> assertThatThrownBy(() -> Records.decodeExpanded(Records.encode(record)))
                .as(field + " " + record)
                .isInstanceOfSatisfying(
                        Records.InvalidRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageStartingWith(field));

        // text up to the records' limit, longer is too large
        String limit = "y".repeat(Records.MAX_RECORD_TEXT_BYTES);
        assertThat(Records.decodeExpanded(Records.encode(new ExpandedMessage(
                                "m1", "g:team", "alice", "text", StringNode.valueOf(limit), AT, null, weibo)))
                        .content()
                        .stringValue())
                .hasSize(Records.MAX_RECORD_TEXT_BYTES);
        assertThatThrownBy(() -> Records.decodeExpanded(Records.encode(new ExpandedMessage(
                        "m1", "g:team", "alice", "text", StringNode.valueOf(limit + "y"), AT, null, weibo))))
                .isInstanceOfSatisfying(
                        Records.InvalidRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                .hasMessageStartingWith("content:");

        // a missing field, a recipient that is not a string
        ObjectNode noContent =
                (ObjectNode) Json.MAPPER.readTree(Records.encode(expanded("m1", "g:team", "alice", null, weibo)));
        noContent.remove("content");
        assertThatThrownBy(() -> Records.decodeExpanded(noContent.toString()))
                .isInstanceOf(Records.InvalidRecordException.class);
        ObjectNode nullRecipient =
                (ObjectNode) Json.MAPPER.readTree(Records.encode(expanded("m1", "g:team", "alice", null, weibo)));
        nullRecipient.putArray("bridgeRecipients").addNull();
        assertThatThrownBy(() -> Records.decodeExpanded(nullRecipient.toString()))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessageStartingWith("bridgeRecipients[0]:");
    }

    private static ExpandedMessage expanded(
            String messageId, String conversation, String from, String origin, List<String> bridgeRecipients) {
        return new ExpandedMessage(
                messageId, conversation, from, "text", StringNode.valueOf("hi"), AT, origin, bridgeRecipients);
    }

    @Test
    void checksEveryIdAndTheContentOfAConversationRecordAgainstItsRule() {
        Instant at = Instant.parse("2026-11-21T10:00:00Z");
        java.util.Map<ConversationRecord, String> invalid = new java.util.LinkedHashMap<>();
        invalid.put(message("m".repeat(33), "c1", "g:team", "alice", null), "messageId:");
        invalid.put(message("m1", "with space", "g:team", "alice", null), "clientMsgId:");
        invalid.put(message("m1", "c1", "g:team", "Alice", null), "from:");
        invalid.put(message("m1", "c1", "d:bob:alice", "alice", null), "conversation:");
        invalid.put(message("m1", "c1", "g:team", "alice", "Bad System"), "origin:");
        invalid.put(
                new ConversationRecord.MessagePosted(
                        "m1", "c1", "g:team", "alice", "hologram", StringNode.valueOf("x"), at, null),
                "kind:");
        invalid.put(
                new ConversationRecord.MessagePosted(
                        "m1", "c1", "g:team", "alice", "image", StringNode.valueOf("x"), at, null),
                "content:");
        invalid.put(
                new ConversationRecord.MembersAdded("e".repeat(65), "team", List.of("bob"), "alice", at), "eventId:");
        invalid.put(new ConversationRecord.MembersAdded("e1", "Team", List.of("bob"), "alice", at), "groupId:");
        invalid.put(new ConversationRecord.MembersAdded("e1", "team", List.of(), "alice", at), "userIds:");
        invalid.put(
                new ConversationRecord.MembersAdded("e1", "team", List.of("b".repeat(65)), "alice", at), "userIds:");
        invalid.put(new ConversationRecord.MemberRemoved("e1", "team", "bob", "not an actor", at), "by:");
        invalid.forEach((record, field) -> assertThatThrownBy(() -> Records.decodeConversation(Records.encode(record)))
                .as(field)
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessageStartingWith(field));
        assertThat(Records.decodeConversation(Records.encode(message("m1", "c1", "g:team", "alice", "weibo"))))
                .isNotNull();
        assertThat(Records.decodeConversation(Records.encode(
                        new ConversationRecord.MembersAdded("e1", "team", List.of("weibo.x"), "bridge:weibo", at))))
                .isNotNull();
    }

    private static ConversationRecord.MessagePosted message(
            String messageId, String clientMsgId, String conversation, String from, String origin) {
        return new ConversationRecord.MessagePosted(
                messageId,
                clientMsgId,
                conversation,
                from,
                "text",
                StringNode.valueOf("hi"),
                Instant.parse("2026-11-21T10:00:00Z"),
                origin);
    }

    @Test
    void roundTripsPushCandidatesAndRefusesOnesThatBreakARule() {
        PushCandidate candidate =
                new PushCandidate("bob", 42, "m1", "d:alice:bob", "alice", "text", 3, 1_700_000_000_123L);
        String json = Records.encode(candidate);
        assertThat(json).contains("\"type\":\"push.candidate\"", "\"v\":1");
        assertThat(Records.decodePush(json)).isEqualTo(candidate);
        for (PushCandidate bad : List.of(
                new PushCandidate("Bob", 42, "m1", "d:alice:bob", "alice", "text", 3, 1),
                new PushCandidate("bob", 0, "m1", "d:alice:bob", "alice", "text", 3, 1),
                new PushCandidate("bob", 42, "m 1", "d:alice:bob", "alice", "text", 3, 1),
                new PushCandidate("bob", 42, "m1", "x:alice", "alice", "text", 3, 1),
                new PushCandidate("bob", 42, "m1", "d:alice:bob", "alice", "Text", 3, 1),
                new PushCandidate("bob", 42, "m1", "d:alice:bob", "alice", "text", -1, 1))) {
            assertThatThrownBy(() -> Records.decodePush(Records.encode(bad)))
                    .isInstanceOf(Records.InvalidRecordException.class);
        }
        assertThatThrownBy(() -> Records.decodePush("{\"type\":\"push.candidate\",\"v\":1,\"userId\":\"bob\"}"))
                .isInstanceOf(Records.InvalidRecordException.class);
        assertThatThrownBy(() -> Records.decodePush(Records.encode(new InboxEntry("bob", "m1", "g:team"))))
                .isInstanceOf(Records.InvalidRecordException.class)
                .hasMessageContaining("unknown record type");
    }

    @Test
    void pushTokensArePrintableAsciiOfAtMost4096Characters() {
        assertThat(PushTokens.isToken("!")).isTrue();
        assertThat(PushTokens.isToken("~".repeat(4096))).isTrue();
        assertThat(PushTokens.isToken("")).isFalse();
        assertThat(PushTokens.isToken("a".repeat(4097))).isFalse();
        assertThat(PushTokens.isToken("a b")).isFalse();
        assertThat(PushTokens.isToken("a\u007f")).isFalse();
        assertThat(PushTokens.isToken("\u00e9")).isFalse();
        assertThat(PushTokens.PROVIDERS).containsExactly("apns", "fcm", "webhook");
    }
}
