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
}
