package dev.courier.web;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.ErrorCode;

import static dev.courier.web.TestWeb.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProblemErrorController} on a real server: an error sent through the servlet container's error page (by a
 * filter, or {@code sendError}) is answered in the same problem+json form as every other error.
 */
class ProblemErrorControllerIntegrationTests {

    @BeforeAll
    static void start() {
        TestWeb.context();
    }

    private static TestWeb.Answer sendError(int status) {
        return TestWeb.request("GET", "/test/send-error/" + status, null, (String) null);
    }

    @Test
    void answersAnErrorOfTheContainerWithTheCodeOfItsStatus() {
        assertProblem(sendError(400), 400, ErrorCode.INVALID_REQUEST, "the request is malformed");
        assertProblem(sendError(404), 404, ErrorCode.NOT_FOUND, "no such resource");
        assertProblem(sendError(413), 413, ErrorCode.PAYLOAD_TOO_LARGE, "the request body is too large");
        assertProblem(sendError(403), 403, ErrorCode.FORBIDDEN, "the request was rejected");
        assertProblem(sendError(409), 409, ErrorCode.CONFLICT, "the request was rejected");
        assertProblem(sendError(429), 429, ErrorCode.RATE_LIMITED, "the request was rejected");
        assertProblem(sendError(418), 418, ErrorCode.INVALID_REQUEST, "the request was rejected");
        assertProblem(sendError(500), 500, ErrorCode.INTERNAL, "internal error");
    }

    @Test
    void answersAnUnavailableErrorWithRetryAfter() {
        TestWeb.Answer answer = sendError(503);

        // the status's own title, not "internal error": nothing is known to be a bug
        assertProblem(answer, 503, ErrorCode.UNAVAILABLE, "Service Unavailable");
        assertThat(answer.json().path("detail").asString()).isEqualTo("Service Unavailable");
        assertThat(answer.header("Retry-After")).isEqualTo("1");
    }

    @Test
    void answersARequestForTheErrorPathItselfWith404NotFound() {
        // no error was dispatched there: it is a path like any other, and there is nothing at it
        for (String method : new String[] {"GET", "POST", "DELETE"}) {
            assertProblem(
                    TestWeb.request(method, "/error", null, (String) null),
                    404,
                    ErrorCode.NOT_FOUND,
                    "no such resource: /error");
        }
    }

    @Test
    void asksForABearerTokenWithAnUnauthenticatedError() {
        TestWeb.Answer answer = sendError(401);

        assertProblem(answer, 401, ErrorCode.UNAUTHENTICATED, "the request was rejected");
        assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
}
