package dev.courier.client;

import java.time.Instant;
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
    void writesContentInTheFormTheGatewayChecks() {
        assertThat(Wire.content(Content.text("hi")).toString()).isEqualTo("\"hi\"");
        assertThat(Wire.content(new Content.Media(
                                "file", "https://cdn/a.pdf", "application/pdf", 9, Map.of("name", "a.pdf")))
                        .toString())
                .isEqualTo(
                        "{\"name\":\"a.pdf\",\"url\":\"https://cdn/a.pdf\",\"mime\":\"application/pdf\",\"size\":9}");
    }
}
