package dev.courier.common;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class MessageContentTests {

    private static JsonNode json(String text) {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void acceptsTextAndMediaReferences() {
        assertThat(MessageContent.check("text", json("\"hi\""), 16)).isNull();
        assertThat(MessageContent.check(
                        "image",
                        json("{\"url\":\"https://x/y.png\",\"mime\":\"image/png\",\"size\":10,\"width\":3}"),
                        16))
                .isNull();
    }

    @Test
    void measuresTextInUtf8Bytes() {
        // four characters, twelve bytes
        assertThat(MessageContent.check("text", json("\"你好你好\""), 12)).isNull();
        assertThat(MessageContent.check("text", json("\"你好你好\""), 11).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    }

    @Test
    void namesTheFieldOfEachProblem() {
        assertThat(MessageContent.check("gif", json("\"x\""), 16).detail()).startsWith("kind:");
        assertThat(MessageContent.check("text", null, 16).detail()).startsWith("content:");
        assertThat(MessageContent.check("text", json("{}"), 16).detail()).startsWith("content:");
        assertThat(MessageContent.check("text", json("\"\""), 16).detail()).startsWith("content:");
        assertThat(MessageContent.check("file", json("\"x\""), 16).detail()).startsWith("content:");
        assertThat(MessageContent.check("file", json("{\"mime\":\"a/b\",\"size\":1}"), 16)
                        .detail())
                .startsWith("content.url:");
        assertThat(MessageContent.check("file", json("{\"url\":\"u\",\"size\":1}"), 16)
                        .detail())
                .startsWith("content.mime:");
        assertThat(MessageContent.check("file", json("{\"url\":\"u\",\"mime\":\"a/b\",\"size\":-1}"), 16)
                        .detail())
                .startsWith("content.size:");
        assertThat(MessageContent.check("file", json("{\"url\":\"u\",\"mime\":\"a/b\",\"size\":1e400}"), 16)
                        .detail())
                .startsWith("content.size:");
    }
}
