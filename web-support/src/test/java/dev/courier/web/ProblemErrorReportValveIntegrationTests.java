package dev.courier.web;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.ErrorCode;

import static dev.courier.web.TestWeb.assertProblem;

/**
 * {@link ProblemErrorReportValve} on a real server: requests Tomcat refuses before any servlet sees them are answered
 * in problem+json, not with Tomcat's HTML page.
 */
class ProblemErrorReportValveIntegrationTests {

    @BeforeAll
    static void start() {
        TestWeb.context();
    }

    private static TestWeb.Answer raw(String requestLine, String... headers) {
        return TestWeb.exchange(requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close"
                + (headers.length == 0 ? "" : "\r\n" + String.join("\r\n", headers)));
    }

    @Test
    void answersAMalformedRequestLineWith400Problem() {
        assertProblem(raw("GET /v1/me HTTP/1.1 extra"), 400, ErrorCode.INVALID_REQUEST, "the request is malformed");
        assertProblem(raw("GET /v1/a|b{c} HTTP/1.1"), 400, ErrorCode.INVALID_REQUEST, "the request is malformed");
    }

    @Test
    void answersAnEncodedSlashOrNulInThePathWith400Problem() {
        assertProblem(raw("GET /v1/a%2Fb HTTP/1.1"), 400, ErrorCode.INVALID_REQUEST, "the request is malformed");
        assertProblem(raw("GET /v1/a%00b HTTP/1.1"), 400, ErrorCode.INVALID_REQUEST, "the request is malformed");
    }

    @Test
    void answersOversizedHeadersWith400Problem() {
        assertProblem(
                raw("GET /v1/me HTTP/1.1", "X-Big: " + "a".repeat(10_000)),
                400,
                ErrorCode.INVALID_REQUEST,
                "the request is malformed");
        assertProblem(
                raw("GET /v1/" + "a".repeat(10_000) + " HTTP/1.1"),
                400,
                ErrorCode.INVALID_REQUEST,
                "the request is malformed");
    }

    @Test
    void answersAnUnsupportedHttpVersionWith505InvalidRequest() {
        // the client's request is at fault, not the server: never internal, which is kept for bugs
        for (String version : new String[] {"HTTP/9.9", "HTTP/2.0", "HTTP/1.2"}) {
            assertProblem(
                    raw("GET /v1/me " + version),
                    505,
                    ErrorCode.INVALID_REQUEST,
                    "the request's HTTP version is not supported");
        }
    }

    @Test
    void answersAnUnsupportedTransferEncodingWith501InvalidRequest() {
        assertProblem(
                raw("POST /test/echo HTTP/1.1", "Content-Type: application/json", "Transfer-Encoding: zstd"),
                501,
                ErrorCode.INVALID_REQUEST,
                "the request's transfer encoding is not supported");
    }

    @Test
    void answersConflictingLengthsWith400Problem() {
        assertProblem(
                raw(
                        "POST /test/echo HTTP/1.1",
                        "Content-Type: application/json",
                        "Content-Length: 2",
                        "Content-Length: 3"),
                400,
                ErrorCode.INVALID_REQUEST,
                "the request is malformed");
    }
}
