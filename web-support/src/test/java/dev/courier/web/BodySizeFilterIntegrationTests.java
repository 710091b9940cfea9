package dev.courier.web;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.ErrorCode;

import static dev.courier.web.TestWeb.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BodySizeFilter} on a real server, before anything parses a body: too large (declared or chunked) is
 * {@code 413 payload_too_large}, a {@code Content-Type} that is not one concrete type is {@code 415}, JSON that is not
 * strict UTF-8 is {@code 400}.
 */
class BodySizeFilterIntegrationTests {

    private static final String JSON = "application/json";

    private static int limit;

    @BeforeAll
    static void start() {
        limit = (int)
                TestWeb.context().getBean(HttpProperties.class).maxBodySize().toBytes();
    }

    /** A JSON body of the test's echo endpoint of exactly this many bytes. */
    private static byte[] echoOfSize(int bytes) {
        String start = "{\"name\":\"";
        String end = "\",\"count\":1}";
        return (start + "n".repeat(bytes - start.length() - end.length()) + end).getBytes(StandardCharsets.UTF_8);
    }

    private static String message() {
        return "body: at most " + limit + " bytes are accepted";
    }

    @Test
    void acceptsAJsonBodyOfExactlyTheLimitDeclaredOrChunked() {
        byte[] body = echoOfSize(limit);

        TestWeb.Answer declared = TestWeb.request("POST", "/test/echo", JSON, body);
        TestWeb.Answer chunked = TestWeb.chunked("POST", "/test/echo", JSON, body);

        assertThat(declared.status()).as(declared.body()).isEqualTo(200);
        assertThat(declared.json().path("name").asString()).hasSize(limit - 21);
        assertThat(chunked.status()).as(chunked.body()).isEqualTo(200);
    }

    @Test
    void acceptsAnyBodyOfExactlyTheLimit() {
        byte[] body = "t".repeat(limit).getBytes(StandardCharsets.UTF_8);

        assertThat(TestWeb.request("POST", "/test/text", "text/plain", body)
                        .json()
                        .path("length")
                        .asInt())
                .isEqualTo(limit);
        assertThat(TestWeb.chunked("POST", "/test/text", "text/plain", body)
                        .json()
                        .path("length")
                        .asInt())
                .isEqualTo(limit);
    }

    @Test
    void answersADeclaredLengthOverTheLimitWith413WithoutReadingTheBody() {
        // the head alone: the answer comes without a byte of the body sent
        for (String type : new String[] {JSON, "text/plain"}) {
            TestWeb.Answer answer = TestWeb.exchange("POST /test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + type + "\r\nContent-Length: " + (limit + 1));
            assertProblem(answer, 413, ErrorCode.PAYLOAD_TOO_LARGE, message());
        }
        TestWeb.Answer huge = TestWeb.exchange("POST /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                + "text/plain\r\nContent-Length: 10000000000");
        assertProblem(huge, 413, ErrorCode.PAYLOAD_TOO_LARGE, message());
    }

    @Test
    void answersAChunkedJsonBodyOverTheLimitWith413() {
        TestWeb.Answer answer = TestWeb.chunked("POST", "/test/echo", JSON, echoOfSize(limit + 1));

        assertProblem(answer, 413, ErrorCode.PAYLOAD_TOO_LARGE, message());
    }

    @Test
    void answersAChunkedBodyOfAnyTypeOverTheLimitWith413WhenItIsRead() {
        TestWeb.Answer answer = TestWeb.chunked(
                "POST", "/test/text", "text/plain", "t".repeat(limit + 1).getBytes(StandardCharsets.UTF_8));

        assertProblem(answer, 413, ErrorCode.PAYLOAD_TOO_LARGE, message());
    }

    @Test
    void answersAContentTypeThatIsNotOneConcreteTypeWith415() {
        for (String type : new String[] {"*/*", "application/*", "application/", ";;;", "json"}) {
            assertProblem(
                    TestWeb.request("POST", "/test/echo", type, "{\"name\":\"a\",\"count\":1}"),
                    415,
                    ErrorCode.INVALID_REQUEST,
                    "Content-Type: must be application/json");
        }
    }

    @Test
    void acceptsJsonOfAnyConcreteJsonTypeAndCharsetParameter() {
        for (String type : new String[] {"application/json;charset=UTF-8", "application/problem+json"}) {
            TestWeb.Answer answer = TestWeb.request("POST", "/test/echo", type, "{\"name\":\"a\",\"count\":1}");
            assertThat(answer.status()).as(type + ": " + answer.body()).isEqualTo(200);
        }
    }

    @Test
    void answersAJsonBodyThatIsNotStrictUtf8With400() {
        byte[][] bodies = {
            {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'},
            {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xFF, '"', '}'},
            {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, '(', '"', '}'},
            // an encoded surrogate (CESU-8), which strict UTF-8 does not allow
            {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}
        };
        for (byte[] body : bodies) {
            assertProblem(
                    TestWeb.request("POST", "/test/echo", JSON, body),
                    400,
                    ErrorCode.INVALID_REQUEST,
                    "body: is not valid UTF-8");
            assertProblem(
                    TestWeb.chunked("POST", "/test/echo", JSON, body),
                    400,
                    ErrorCode.INVALID_REQUEST,
                    "body: is not valid UTF-8");
        }
    }
}
