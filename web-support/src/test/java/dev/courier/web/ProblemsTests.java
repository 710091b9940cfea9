package dev.courier.web;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

import dev.courier.common.ErrorCode;
import dev.courier.common.Json;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Problems}: the problem+json form of PROTOCOL.md and the headers that go with some codes. */
class ProblemsTests {

    @Test
    void givesEachStatusItsCodeWhenNothingMoreSpecificIsKnown() {
        assertThat(Problems.codeFor(401)).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(Problems.codeFor(403)).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(Problems.codeFor(404)).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(Problems.codeFor(409)).isEqualTo(ErrorCode.CONFLICT);
        assertThat(Problems.codeFor(413)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(Problems.codeFor(429)).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(Problems.codeFor(503)).isEqualTo(ErrorCode.UNAVAILABLE);
        for (int status : new int[] {400, 405, 406, 411, 414, 415, 418, 422, 426, 431}) {
            assertThat(Problems.codeFor(status)).as("%d", status).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
        assertThat(Problems.codeFor(500)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(Problems.codeFor(502)).isEqualTo(ErrorCode.INTERNAL);
        // the servlet container's refusals of a request it cannot serve: the request is at fault, not a bug
        assertThat(Problems.codeFor(501)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(Problems.codeFor(505)).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void saysInternalErrorOnlyForAStatusWhoseCodeIsInternal() {
        assertThat(Problems.detailFor(500)).isEqualTo("internal error");
        assertThat(Problems.detailFor(502)).isEqualTo("internal error");
        assertThat(Problems.detailFor(503)).isEqualTo("Service Unavailable");
        assertThat(Problems.detailFor(504)).isEqualTo("internal error");
        assertThat(Problems.detailFor(505)).startsWith("the request's HTTP version is not supported");
        assertThat(Problems.detailFor(501)).startsWith("the request's transfer encoding is not supported");
        assertThat(Problems.detailFor(400)).isEqualTo("the request is malformed");
        assertThat(Problems.detailFor(404)).isEqualTo("no such resource");
        assertThat(Problems.detailFor(413)).isEqualTo("the request body is too large");
        assertThat(Problems.detailFor(409)).isEqualTo("the request was rejected");
    }

    @Test
    void writesTheFiveFieldsOfTheProtocol() {
        JsonNode json = Json.MAPPER.readTree(
                new String(Problems.json(ErrorCode.NOT_MEMBER, 403, "to: not a member"), StandardCharsets.UTF_8));

        assertThat(json.propertyNames()).containsExactly("type", "title", "status", "detail", "code");
        assertThat(json.path("type").asString()).isEqualTo("https://courier.dev/problems/not_member");
        assertThat(json.path("title").asString()).isEqualTo("Not a member");
        assertThat(json.path("status").asInt()).isEqualTo(403);
        assertThat(json.path("detail").asString()).isEqualTo("to: not a member");
        assertThat(json.path("code").asString()).isEqualTo("not_member");
    }

    @Test
    void answersWithProblemJsonAndTheHeadersItWasGiven() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.ALLOW, "GET");

        ResponseEntity<Object> response =
                Problems.response(ErrorCode.INVALID_REQUEST, 405, "POST is not supported", headers);

        assertThat(response.getStatusCode().value()).isEqualTo(405);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getHeaders().getFirst(HttpHeaders.ALLOW)).isEqualTo("GET");
        assertThat(response.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER))
                .isFalse();
        assertThat(response.getHeaders().containsHeader(HttpHeaders.WWW_AUTHENTICATE))
                .isFalse();
        assertThat(((ProblemDetail) response.getBody()).getProperties()).containsEntry("code", "invalid_request");
    }

    @Test
    void asksForABearerTokenWhenUnauthenticated() {
        assertThat(Problems.response(ErrorCode.UNAUTHENTICATED, 401, "no token", HttpHeaders.EMPTY)
                        .getHeaders()
                        .getFirst(HttpHeaders.WWW_AUTHENTICATE))
                .isEqualTo("Bearer");
    }

    @Test
    void saysWhenToRetryWhenUnavailableKeepingAGivenRetryAfter() {
        assertThat(Problems.response(ErrorCode.UNAVAILABLE, 503, "down", HttpHeaders.EMPTY)
                        .getHeaders()
                        .getFirst(HttpHeaders.RETRY_AFTER))
                .isEqualTo("1");
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, "5");
        assertThat(Problems.response(ErrorCode.UNAVAILABLE, 503, "down", headers)
                        .getHeaders()
                        .getFirst(HttpHeaders.RETRY_AFTER))
                .isEqualTo("5");
    }
}
