package dev.courier.web;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.ErrorCode;

import static dev.courier.web.TestWeb.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TokenHandshakeInterceptor} and {@link ProblemHandshakeHandler} on a real server: a WebSocket handshake is
 * authenticated from {@code Authorization: Bearer} or the {@code access_token} query parameter, and every refused
 * handshake is answered in problem+json.
 */
class TokenHandshakeInterceptorIntegrationTests {

    private static final String BAD_TOKEN = "eyJhbGciOiJIUzI1NiJ9.e30.AAAA";

    @BeforeAll
    static void start() {
        TestWeb.context();
    }

    private static void assertUnauthenticated(TestWeb.Answer answer, String detailStart) {
        assertProblem(answer, 401, ErrorCode.UNAUTHENTICATED, detailStart);
        assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void acceptsAValidTokenInTheAuthorizationHeader() {
        String token = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");

        assertThat(TestWeb.handshakeTo("/v1/ws", "Authorization: Bearer " + token)
                        .status())
                .isEqualTo(101);
    }

    @Test
    void acceptsAValidTokenInTheAccessTokenQueryParameter() {
        String token = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");

        assertThat(TestWeb.handshakeTo("/v1/ws?access_token=" + token).status()).isEqualTo(101);
        // percent-encoded as a browser may send it
        assertThat(TestWeb.handshakeTo("/v1/ws?access_token=" + token.replace(".", "%2E"))
                        .status())
                .isEqualTo(101);
    }

    @Test
    void refusesAHandshakeWithoutATokenWith401Problem() {
        assertUnauthenticated(TestWeb.handshakeTo("/v1/ws"), "missing Authorization: Bearer <token>");
        assertUnauthenticated(TestWeb.handshakeTo("/v1/ws?access_token="), "missing Authorization: Bearer <token>");
    }

    @Test
    void refusesAHandshakeWithAnInvalidTokenWith401Problem() {
        assertUnauthenticated(TestWeb.handshakeTo("/v1/ws", "Authorization: Bearer " + BAD_TOKEN), "the token ");
        assertUnauthenticated(TestWeb.handshakeTo("/v1/ws?access_token=" + BAD_TOKEN), "the token ");
        assertUnauthenticated(
                TestWeb.handshakeTo("/v1/ws", "Authorization: Basic YTpi"),
                "the Authorization header must be Bearer <token>");
        assertUnauthenticated(
                TestWeb.handshakeTo("/v1/ws?access_token=" + TestWeb.token(TestWeb.uniqueId("u"), "phone")),
                "the device 'phone' is signed out");
    }

    @Test
    void usesTheAuthorizationHeaderWhenBothAreGiven() {
        String token = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");

        assertThat(TestWeb.handshakeTo("/v1/ws?access_token=" + BAD_TOKEN, "Authorization: Bearer " + token)
                        .status())
                .isEqualTo(101);
        assertUnauthenticated(
                TestWeb.handshakeTo("/v1/ws?access_token=" + token, "Authorization: Bearer " + BAD_TOKEN),
                "the token ");
    }

    @Test
    void refusesAMalformedQueryWith400Problem() {
        String token = TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");

        assertProblem(
                TestWeb.handshakeTo("/v1/ws?access_token=%zz"),
                400,
                ErrorCode.INVALID_REQUEST,
                "query: malformed percent-encoding");
        assertProblem(
                TestWeb.handshakeTo("/v1/ws?x=5%&access_token=" + token),
                400,
                ErrorCode.INVALID_REQUEST,
                "query: malformed percent-encoding");
    }

    @Test
    void refusesAnAuthenticatedRequestThatIsNotAWebSocketHandshakeWithAProblem() {
        String authorization = "Authorization: Bearer " + TestWeb.signedIn(TestWeb.uniqueId("u"), "phone");

        assertProblem(
                TestWeb.exchange("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + authorization),
                400,
                ErrorCode.INVALID_REQUEST,
                "a WebSocket handshake needs Upgrade: websocket");
        assertProblem(
                TestWeb.exchange("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: close\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + authorization),
                400,
                ErrorCode.INVALID_REQUEST,
                "a WebSocket handshake needs Connection: Upgrade");
        TestWeb.Answer version = TestWeb.exchange("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + authorization);
        assertProblem(version, 426, ErrorCode.INVALID_REQUEST, "unsupported WebSocket version; use 13");
        assertProblem(
                TestWeb.exchange("POST /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Content-Length: 0\r\n" + authorization),
                405,
                ErrorCode.INVALID_REQUEST,
                "a WebSocket handshake is a GET");
    }
}
