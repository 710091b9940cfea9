package dev.courier.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WireTests {

    @Test
    void readsADeltaAsTheSyncApiWritesIt() {
        Wire.Delta delta = Wire.delta(Http.JSON.readTree("""
                {"syncKey":"AQADYm9i","hasMore":true,"resync":false,
                 "account":{"userId":"bob","displayName":"Bob","version":1},"contacts":[],
                 "conversations":[{"conversation":"g:team","lastConvSeq":4,
                                   "lastMessage":{"convSeq":4,"messageId":"m1","from":"alice","kind":"text",
                                                  "content":"hello team","sentAt":"2026-11-21T20:35:04.673Z"},
                                   "readSeq":3,"unread":1,"muted":true,"version":9}],
                 "messages":[{"seq":1,"messageId":"m1","clientMsgId":"c-1","conversation":"g:team","convSeq":4,"from":"alice",
                              "kind":"text","content":"hello team","sentAt":"2026-11-21T20:35:04.673Z"},
                             {"seq":2,"messageId":"m2","clientMsgId":"c-2","conversation":"d:alice:bob","from":"alice",
                              "kind":"image","content":{"url":"https://cdn/x.png","mime":"image/png","size":42,
                                                        "width":640,"caption":null},
                              "sentAt":"2026-11-21T20:35:04.701Z"}]}
                """));

        assertThat(delta.syncKey()).isEqualTo("AQADYm9i");
        assertThat(delta.hasMore()).isTrue();
        assertThat(delta.resync()).isFalse();
        assertThat(delta.messages())
                .containsExactly(
                        new Message(
                                1,
                                "m1",
                                "c-1",
                                "g:team",
                                4,
                                "alice",
                                new Content.Text("hello team"),
                                Instant.parse("2026-11-21T20:35:04.673Z")),
                        new Message(
                                2,
                                "m2",
                                "c-2",
                                "d:alice:bob",
                                "alice",
                                new Content.Media("image", "https://cdn/x.png", "image/png", 42, Map.of("width", 640)),
                                Instant.parse("2026-11-21T20:35:04.701Z")));
        assertThat(delta.messages().get(1).convSeq())
                .as("a message without convSeq")
                .isZero();
        assertThat(delta.conversations())
                .containsExactly(new Conversation(
                        "g:team",
                        4,
                        new Conversation.LastMessage(
                                4,
                                "m1",
                                "alice",
                                new Content.Text("hello team"),
                                Instant.parse("2026-11-21T20:35:04.673Z")),
                        3,
                        1,
                        null,
                        true,
                        9));
    }

    @Test
    void readsADirectConversationStateWithItsReceiptAndOneWithoutMessages() {
        Conversation direct = Wire.conversation(Http.JSON.readTree("""
                {"conversation":"d:alice:bob","lastConvSeq":42,
                 "lastMessage":{"convSeq":42,"messageId":"m42","from":"alice","kind":"image",
                                "content":{"url":"https://cdn/x.png","mime":"image/png","size":42},
                                "sentAt":"2026-11-21T20:35:04.701Z"},
                 "readSeq":40,"unread":2,"peerReadSeq":41,"muted":false,"version":17}
                """));
        assertThat(direct.direct()).isTrue();
        assertThat(direct.peerReadSeq()).isEqualTo(41L);
        assertThat(direct.readByPeer(41)).isTrue();
        assertThat(direct.readByPeer(42)).isFalse();
        assertThat(direct.lastMessage()).isNotNull();
        assertThat(direct.lastMessage().text()).isEqualTo("[image https://cdn/x.png image/png 42 bytes]");

        Conversation empty = Wire.conversation(Http.JSON.readTree("""
                {"conversation":"g:new","lastConvSeq":0,"lastMessage":null,"readSeq":0,"unread":0,
                 "muted":false,"version":1}
                """));
        assertThat(empty.lastMessage()).isNull();
        assertThat(empty.direct()).isFalse();
        assertThat(empty.readByPeer(0)).as("no receipts in a group").isFalse();
        assertThat(Conversation.directId("bob", "alice")).isEqualTo("d:alice:bob");
    }

    @Test
    void aKindItDoesNotKnowArrivesAsOtherInsteadOfStoppingDelivery() {
        Message message = Wire.message(Http.JSON.readTree("""
                {"seq":7,"messageId":"m7","conversation":"g:x","from":"a","kind":"sticker",
                 "content":{"pack":"cats","id":3},"sentAt":"not a time"}
                """));

        assertThat(message.content()).isEqualTo(new Content.Other("sticker", "{\"pack\":\"cats\",\"id\":3}"));
        assertThat(message.sentAt()).isEqualTo(Instant.EPOCH);
        assertThat(message.clientMsgId()).isEmpty();
    }

    @Test
    void readsLifecycleEntriesAsChangesOfTheirTarget() {
        Wire.Delta delta = Wire.delta(Http.JSON.readTree("""
                {"syncKey":"k","messages":[
                  {"seq":5,"messageId":"c1","clientMsgId":"recall:c1","conversation":"d:alice:bob","convSeq":3,
                   "from":"alice","kind":"recall","content":{"target":"m1"},"sentAt":"2026-11-21T20:35:05Z",
                   "replyTo":null},
                  {"seq":6,"messageId":"c2","clientMsgId":"edit:c2","conversation":"d:alice:bob","convSeq":4,
                   "from":"alice","kind":"edit","content":{"target":"m2","text":"at 9"},
                   "sentAt":"2026-11-21T20:35:06Z","replyTo":null},
                  {"seq":7,"messageId":"c3","clientMsgId":"delete:c3","conversation":"d:alice:bob",
                   "from":"bob","kind":"delete","content":{"target":"m2"},"sentAt":"2026-11-21T20:35:07Z",
                   "replyTo":null},
                  {"seq":8,"messageId":"c4","clientMsgId":"reaction:c4","conversation":"d:alice:bob","convSeq":5,
                   "from":"bob","kind":"reaction","content":{"target":"m2","emoji":"👍","added":false},
                   "sentAt":"2026-11-21T20:35:08Z","replyTo":null},
                  {"seq":9,"messageId":"c5","conversation":"d:alice:bob","convSeq":6,"from":"bob","kind":"edit",
                   "content":{"target":"m2"},"sentAt":"2026-11-21T20:35:09Z"}]}
                """));

        assertThat(delta.messages())
                .extracting(Message::content)
                .containsExactly(
                        new Content.Recall("m1"),
                        new Content.Edit("m2", "at 9"),
                        new Content.Delete("m2"),
                        new Content.Reaction("m2", "👍", false),
                        new Content.Other("edit", "{\"target\":\"m2\"}"));
        assertThat(delta.messages()).extracting(Message::isChange).containsExactly(true, true, true, true, false);
        assertThat(delta.messages()).extracting(Message::target).containsExactly("m1", "m2", "m2", "m2", null);
        assertThat(delta.messages().get(2).convSeq())
                .as("a delete is this user's alone")
                .isZero();
        assertThat(delta.messages().get(0).text()).isEqualTo("[recall of m1]");
    }

    @Test
    void readsAMessageInItsCurrentStateRepliesEditsRecallsAndReactions() {
        Message reply = Wire.message(Http.JSON.readTree("""
                {"convSeq":2,"messageId":"m2","clientMsgId":"c-2","conversation":"g:team","from":"bob",
                 "kind":"text","content":"at 9, then","sentAt":"2026-11-21T20:35:04Z","replyTo":"m1",
                 "editedAt":"2026-11-21T20:36:00.250Z","reactions":{"🎉":["alice","carol"],"👍":["carol"]}}
                """));
        assertThat(reply.replyTo()).isEqualTo("m1");
        assertThat(reply.editedAt()).isEqualTo(Instant.parse("2026-11-21T20:36:00.250Z"));
        assertThat(reply.edited()).isTrue();
        assertThat(reply.recalled()).isFalse();
        assertThat(reply.text()).isEqualTo("at 9, then");
        assertThat(reply.reactions())
                .containsExactly(Map.entry("🎉", List.of("alice", "carol")), Map.entry("👍", List.of("carol")));

        Message recalled = Wire.message(Http.JSON.readTree("""
                {"seq":4,"messageId":"m3","conversation":"g:team","convSeq":3,"from":"bob","kind":"image",
                 "content":null,"sentAt":"2026-11-21T20:35:04Z","replyTo":null,"recalled":true}
                """));
        assertThat(recalled.content()).isEqualTo(new Content.Recalled("image"));
        assertThat(recalled.recalled()).isTrue();
        assertThat(recalled.replyTo()).isNull();
        assertThat(recalled.editedAt()).isNull();
        assertThat(recalled.reactions()).isEmpty();
        assertThat(recalled.text()).isEqualTo("[message recalled]");

        Conversation state = Wire.conversation(Http.JSON.readTree("""
                {"conversation":"g:team","lastConvSeq":5,"readSeq":5,"unread":0,"muted":false,"version":3,
                 "lastMessage":{"convSeq":3,"messageId":"m3","from":"bob","kind":"text","content":null,
                                "sentAt":"2026-11-21T20:35:04Z","replyTo":"m1","recalled":true}}
                """));
        assertThat(state.lastMessage()).isNotNull();
        assertThat(state.lastMessage().recalled()).isTrue();
        assertThat(state.lastMessage().replyTo()).isEqualTo("m1");
        assertThat(state.lastMessage().text()).isEqualTo("[message recalled]");
    }

    @Test
    void writesContentInTheFormTheGatewayChecks() {
        assertThat(Wire.content(Content.text("hi")).toString()).isEqualTo("\"hi\"");
        assertThat(Wire.content(new Content.Media(
                                "file", "https://cdn/a.pdf", "application/pdf", 9, Map.of("name", "a.pdf")))
                        .toString())
                .isEqualTo(
                        "{\"name\":\"a.pdf\",\"url\":\"https://cdn/a.pdf\",\"mime\":\"application/pdf\",\"size\":9}");
    }

    @Test
    void readsTheGroupsOfADeltaWholeLeftAndDissolved() {
        Wire.Delta delta = Wire.delta(Http.JSON.readTree("""
                {"syncKey":"k","messages":[],"conversations":[],
                 "groups":[{"groupId":"team","name":"Launch","owner":"alice","members":["alice","bob","carol"],
                            "admins":["bob"],"announcement":"Friday 10:00","muted":true,"memberCount":3,"version":6},
                           {"groupId":"old","name":"Old crew","version":4,"left":true},
                           {"groupId":"gone","name":"Gone","owner":"carol","members":["alice","carol"],"admins":[],
                            "announcement":"","muted":false,"memberCount":2,"version":3,"dissolved":true}]}
                """));

        assertThat(delta.groups())
                .containsExactly(
                        new Group(
                                "team",
                                "Launch",
                                "alice",
                                List.of("alice", "bob", "carol"),
                                List.of("bob"),
                                "Friday 10:00",
                                true,
                                3,
                                6,
                                false,
                                false),
                        new Group("old", "Old crew", "", List.of(), List.of(), "", false, 0, 4, true, false),
                        new Group(
                                "gone",
                                "Gone",
                                "carol",
                                List.of("alice", "carol"),
                                List.of(),
                                "",
                                false,
                                2,
                                3,
                                false,
                                true));
        Group team = delta.groups().getFirst();
        assertThat(team.manages("alice")).as("the owner").isTrue();
        assertThat(team.manages("bob")).as("an admin").isTrue();
        assertThat(team.manages("carol")).isFalse();
        assertThat(team.isAdmin("alice")).as("the owner is no admin").isFalse();
        assertThat(team.conversation()).isEqualTo("g:team");
        assertThat(Wire.delta(Http.JSON.readTree("{\"syncKey\":\"k\"}")).groups())
                .as("a delta of a server before groups")
                .isEmpty();
    }

    @Test
    void readsEverySystemEventAndSaysWhatHappened() {
        List<Message> messages = Wire.delta(Http.JSON.readTree("""
                        {"syncKey":"k","messages":[
                          {"seq":1,"messageId":"s1","conversation":"g:team","convSeq":1,"from":"alice","kind":"system",
                           "content":{"event":"group.created","name":"Team","members":["alice","bob"]},
                           "sentAt":"2026-12-01T10:00:00Z","replyTo":null},
                          {"seq":2,"messageId":"s2","conversation":"g:team","convSeq":2,"from":"alice","kind":"system",
                           "content":{"event":"members.added","userIds":["carol","dave"]},"sentAt":"2026-12-01T10:00:01Z"},
                          {"seq":3,"messageId":"s3","conversation":"g:team","convSeq":3,"from":"alice","kind":"system",
                           "content":{"event":"member.removed","userId":"dave"},"sentAt":"2026-12-01T10:00:02Z"},
                          {"seq":4,"messageId":"s4","conversation":"g:team","convSeq":4,"from":"carol","kind":"system",
                           "content":{"event":"member.removed","userId":"carol"},"sentAt":"2026-12-01T10:00:03Z"},
                          {"seq":5,"messageId":"s5","conversation":"g:team","convSeq":5,"from":"alice","kind":"system",
                           "content":{"event":"group.updated","name":"Launch"},"sentAt":"2026-12-01T10:00:04Z"},
                          {"seq":6,"messageId":"s6","conversation":"g:team","convSeq":6,"from":"alice","kind":"system",
                           "content":{"event":"group.updated","announcement":"Friday 10:00","muted":true},
                           "sentAt":"2026-12-01T10:00:05Z"},
                          {"seq":7,"messageId":"s7","conversation":"g:team","convSeq":7,"from":"alice","kind":"system",
                           "content":{"event":"group.updated","announcement":"","muted":false},
                           "sentAt":"2026-12-01T10:00:06Z"},
                          {"seq":8,"messageId":"s8","conversation":"g:team","convSeq":8,"from":"alice","kind":"system",
                           "content":{"event":"admin.added","userId":"bob"},"sentAt":"2026-12-01T10:00:07Z"},
                          {"seq":9,"messageId":"s9","conversation":"g:team","convSeq":9,"from":"alice","kind":"system",
                           "content":{"event":"admin.removed","userId":"bob"},"sentAt":"2026-12-01T10:00:08Z"},
                          {"seq":10,"messageId":"s10","conversation":"g:team","convSeq":10,"from":"alice","kind":"system",
                           "content":{"event":"owner.changed","userId":"bob"},"sentAt":"2026-12-01T10:00:09Z"},
                          {"seq":11,"messageId":"s11","conversation":"g:team","convSeq":11,"from":"bob","kind":"system",
                           "content":{"event":"group.dissolved"},"sentAt":"2026-12-01T10:00:10Z"},
                          {"seq":12,"messageId":"s12","conversation":"g:x","convSeq":2,"from":"wb.ann","kind":"system",
                           "content":{"event":"members.added","userIds":["wb.ann"]},"sentAt":"2026-12-01T10:00:11Z"}]}
                        """)).messages();

        assertThat(messages)
                .extracting(Message::content)
                .containsExactly(
                        new Content.GroupCreated("Team", List.of("alice", "bob")),
                        new Content.MembersAdded(List.of("carol", "dave")),
                        new Content.MemberRemoved("dave"),
                        new Content.MemberRemoved("carol"),
                        new Content.GroupUpdated("Launch", null, null),
                        new Content.GroupUpdated(null, "Friday 10:00", true),
                        new Content.GroupUpdated(null, "", false),
                        new Content.AdminChanged("bob", true),
                        new Content.AdminChanged("bob", false),
                        new Content.OwnerChanged("bob"),
                        new Content.GroupDissolved(),
                        new Content.MembersAdded(List.of("wb.ann")));
        assertThat(messages)
                .extracting(Message::text)
                .containsExactly(
                        "alice created the group \"Team\" with bob",
                        "alice added carol, dave",
                        "alice removed dave",
                        "carol left",
                        "alice renamed the group to \"Launch\"",
                        "alice announced \"Friday 10:00\" and muted the group (only the owner and admins send)",
                        "alice cleared the announcement and unmuted the group",
                        "alice made bob an admin",
                        "alice removed bob as admin",
                        "alice made bob the owner",
                        "bob dissolved the group",
                        "wb.ann joined");
        assertThat(messages).allMatch(Message::isSystem).noneMatch(Message::isChange);
        assertThat(messages)
                .extracting(m -> ((Content.SystemEvent) m.content()).event())
                .containsExactly(
                        "group.created",
                        "members.added",
                        "member.removed",
                        "member.removed",
                        "group.updated",
                        "group.updated",
                        "group.updated",
                        "admin.added",
                        "admin.removed",
                        "owner.changed",
                        "group.dissolved",
                        "members.added");
        assertThat(messages)
                .extracting(Message::content)
                .allMatch(content -> content.kind().equals("system"));
        // what the client writes of an event reads back the same
        for (Message message : messages) {
            assertThat(Wire.content("system", Wire.content(message.content()))).isEqualTo(message.content());
        }
    }

    @Test
    void aSystemEventItDoesNotKnowOrOneWithoutItsFieldsStaysReadable() {
        Message unknown = Wire.message(Http.JSON.readTree("""
                {"seq":3,"messageId":"s3","conversation":"g:team","convSeq":3,"from":"alice","kind":"system",
                 "content":{"event":"topic.pinned","topic":"launch"},"sentAt":"2026-12-01T10:00:00Z"}
                """));
        assertThat(unknown.content())
                .isEqualTo(
                        new Content.UnknownEvent("topic.pinned", "{\"event\":\"topic.pinned\",\"topic\":\"launch\"}"));
        assertThat(unknown.isSystem()).isTrue();
        assertThat(unknown.text()).isEqualTo("alice changed the group (topic.pinned)");

        Message incomplete = Wire.message(Http.JSON.readTree("""
                {"seq":4,"messageId":"s4","conversation":"g:team","from":"alice","kind":"system",
                 "content":{"event":"admin.added"},"sentAt":"2026-12-01T10:00:00Z"}
                """));
        assertThat(incomplete.content())
                .isEqualTo(new Content.UnknownEvent("admin.added", "{\"event\":\"admin.added\"}"));
        Message noEvent = Wire.message(Http.JSON.readTree("""
                {"seq":5,"messageId":"s5","conversation":"g:team","from":"alice","kind":"system","content":"odd",
                 "sentAt":"2026-12-01T10:00:00Z"}
                """));
        assertThat(noEvent.content()).isEqualTo(new Content.UnknownEvent("", "\"odd\""));
        assertThat(noEvent.text()).isEqualTo("alice changed the group (\"odd\")");

        Conversation state = Wire.conversation(Http.JSON.readTree("""
                {"conversation":"g:team","lastConvSeq":5,"readSeq":4,"unread":0,"muted":false,"version":3,
                 "lastMessage":{"convSeq":5,"messageId":"s5","from":"alice","kind":"system",
                                "content":{"event":"group.updated","name":"Launch"},"sentAt":"2026-12-01T10:00:00Z"}}
                """));
        assertThat(state.lastMessage()).isNotNull();
        assertThat(state.lastMessage().isSystem()).isTrue();
        assertThat(state.lastMessage().text()).isEqualTo("alice renamed the group to \"Launch\"");
    }
}
