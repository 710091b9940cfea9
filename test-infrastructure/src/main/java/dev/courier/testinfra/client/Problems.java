package dev.courier.testinfra.client;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** What PROTOCOL.md ("Errors") says every error answer is, over HTTP and on a WebSocket. */
public final class Problems {

    private Problems() {}

    /**
     * The answer is problem+json with this status and stable code, a title, a type ending in the code, and a detail
     * that contains {@code detailContains}.
     */
    public static void assertProblem(Api.Response response, int status, String code, String detailContains) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.code()).as(response.body().toString()).isEqualTo(code);
        assertThat(response.body().path("status").asInt()).isEqualTo(status);
        assertThat(response.body().path("title").asString()).isNotBlank();
        assertThat(response.body().path("type").asString()).endsWith("/" + code);
        assertThat(response.body().path("detail").asString())
                .as(response.body().toString())
                .contains(detailContains);
    }

    /**
     * The frame is an {@code error} frame with this status, code and a detail starting with {@code detailStartsWith},
     * carrying {@code clientMsgId} ({@code null}: none).
     */
    public static void assertErrorFrame(
            JsonNode frame, String clientMsgId, int status, String code, String detailStartsWith) {
        assertThat(frame.path("type").asString()).as(frame.toString()).isEqualTo("error");
        assertThat(frame.path("status").asInt()).as(frame.toString()).isEqualTo(status);
        assertThat(frame.path("code").asString()).as(frame.toString()).isEqualTo(code);
        assertThat(frame.path("detail").asString()).as(frame.toString()).startsWith(detailStartsWith);
        if (clientMsgId == null) {
            assertThat(frame.has("clientMsgId")).as(frame.toString()).isFalse();
        } else {
            assertThat(frame.path("clientMsgId").asString())
                    .as(frame.toString())
                    .isEqualTo(clientMsgId);
        }
    }
}
