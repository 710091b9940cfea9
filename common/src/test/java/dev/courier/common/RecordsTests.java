package dev.courier.common;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordsTests {

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
}
