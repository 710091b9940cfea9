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
                 "messages":[{"seq":1,"messageId":"m1","clientMsgId":"c-1","conversation":"g:team","from":"alice",
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
