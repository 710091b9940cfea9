package dev.courier.web;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.ErrorCode;

import static dev.courier.web.TestWeb.assertProblem;
import static dev.courier.web.TestWeb.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProblemHandler} in the test application on a real server: every error a controller can meet is answered as
 * problem+json with the status and stable code of PROTOCOL.md, a detail naming the field first, and {@code internal}
 * only for bugs.
 */
class ProblemHandlerIntegrationTests {

    private static final String JSON = "application/json";

    @BeforeAll
    static void start() {
        TestWeb.context();
    }

    private static TestWeb.Answer get(String target) {
        return request("GET", target, null, (String) null);
    }

    private static TestWeb.Answer echo(String body) {
        return request("POST", "/test/echo", JSON, body);
    }

    @Test
    void answersAnApiExceptionWithItsCodeStatusAndDetail() {
        for (ErrorCode code : new ErrorCode[] {
            ErrorCode.INVALID_REQUEST,
            ErrorCode.FORBIDDEN,
            ErrorCode.NOT_FOUND,
            ErrorCode.CONFLICT,
            ErrorCode.NOT_MEMBER,
            ErrorCode.PAYLOAD_TOO_LARGE,
            ErrorCode.INVALID_SYNC_KEY
        }) {
            TestWeb.Answer answer = get("/test/api/" + code.code());
            assertProblem(answer, code.status(), code, code.code() + ": provoked");
            assertThat(answer.header("Retry-After")).isNull();
            assertThat(answer.header("WWW-Authenticate")).isNull();
        }
    }

    @Test
    void answersAnApiExceptionWithAStatusOfItsOwn() {
        assertProblem(get("/test/api-status/422"), 422, ErrorCode.INVALID_REQUEST, "field: provoked");
    }

    @Test
    void sendsRetryAfterWhenTheExceptionSaysWhenToRetry() {
        TestWeb.Answer limited = get("/test/api/rate_limited?retryAfter=7");
        assertProblem(limited, 429, ErrorCode.RATE_LIMITED, "rate_limited: provoked");
        assertThat(limited.header("Retry-After")).isEqualTo("7");

        TestWeb.Answer unavailable = get("/test/api/unavailable?retryAfter=3");
        assertProblem(unavailable, 503, ErrorCode.UNAVAILABLE, "unavailable: provoked");
        assertThat(unavailable.header("Retry-After")).isEqualTo("3");
    }

    @Test
    void sendsRetryAfterWithEveryUnavailableAnswer() {
        TestWeb.Answer answer = get("/test/api/unavailable");

        assertProblem(answer, 503, ErrorCode.UNAVAILABLE, "unavailable: provoked");
        assertThat(answer.header("Retry-After")).isEqualTo("1");
    }

    @Test
    void asksForABearerTokenWithEveryUnauthenticatedAnswer() {
        TestWeb.Answer answer = get("/test/api/unauthenticated");

        assertProblem(answer, 401, ErrorCode.UNAUTHENTICATED, "unauthenticated: provoked");
        assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void answersAnInvalidSyncKeyWithItsOwnCode() {
        assertProblem(get("/test/sync-key"), 400, ErrorCode.INVALID_SYNC_KEY, "syncKey: not a key of this server");
    }

    @Test
    void namesEveryFieldThatFailsValidationFieldFirstInFieldOrder() {
        assertProblem(
                echo("{\"name\":\"\",\"count\":0}"),
                400,
                ErrorCode.INVALID_REQUEST,
                "count: must be greater than or equal to 1; name: must not be blank");
        assertProblem(
                echo("{\"count\":11,\"tags\":[\"\"],\"nested\":{}}"),
                400,
                ErrorCode.INVALID_REQUEST,
                "count: must be less than or equal to 10; name: must not be blank; nested.level: must not be null; "
                        + "tags[0]: must not be blank");
    }

    @Test
    void answersMalformedJsonWithWhereItBroke() {
        assertProblem(
                echo("{\"name\": \"x\","), 400, ErrorCode.INVALID_REQUEST, "body: malformed JSON at line 1, column 14");
        assertProblem(echo("{\"name\" 1}"), 400, ErrorCode.INVALID_REQUEST, "body: malformed JSON at line 1");
        // inside a value the parser knows the field
        assertProblem(echo("{\"name\": \"x"), 400, ErrorCode.INVALID_REQUEST, "name: Unexpected end-of-input");
    }

    @Test
    void answersAMissingOrNonObjectBody() {
        assertProblem(echo(""), 400, ErrorCode.INVALID_REQUEST, "body: a JSON object is required");
        assertProblem(echo("null"), 400, ErrorCode.INVALID_REQUEST, "body: a JSON object is required");
        for (String body : new String[] {"[1,2]", "[]", "\"str\"", "42", "1.5", "true"}) {
            TestWeb.Answer answer = echo(body);
            assertProblem(answer, 400, ErrorCode.INVALID_REQUEST, "body: must be a JSON object");
            // nothing of the server's classes is told to the client
            assertThat(answer.body()).as(body).doesNotContain("dev.courier", "`", "Cannot deserialize", "Echo");
        }
    }

    @Test
    void namesAFieldOfTheWrongJsonTypeWithoutCoercingIt() {
        assertProblem(echo("{\"name\":42,\"count\":1}"), 400, ErrorCode.INVALID_REQUEST, "name: has the wrong type");
        assertProblem(echo("{\"name\":true,\"count\":1}"), 400, ErrorCode.INVALID_REQUEST, "name: has the wrong type");
        assertProblem(echo("{\"name\":{},\"count\":1}"), 400, ErrorCode.INVALID_REQUEST, "name: has the wrong type");
        assertProblem(
                echo("{\"name\":\"a\",\"count\":\"10\"}"), 400, ErrorCode.INVALID_REQUEST, "count: has the wrong type");
        assertProblem(
                echo("{\"name\":\"a\",\"count\":1.5}"), 400, ErrorCode.INVALID_REQUEST, "count: has the wrong type");
        assertProblem(
                echo("{\"name\":\"a\",\"count\":true}"), 400, ErrorCode.INVALID_REQUEST, "count: has the wrong type");
        assertProblem(echo("{\"name\":\"a\",\"count\":99999999999}"), 400, ErrorCode.INVALID_REQUEST, "count: ");
        assertProblem(
                echo("{\"name\":\"a\",\"count\":1,\"tags\":\"x\"}"),
                400,
                ErrorCode.INVALID_REQUEST,
                "tags: has the wrong type");
        assertProblem(
                echo("{\"name\":\"a\",\"count\":1,\"tags\":[\"ok\",1]}"),
                400,
                ErrorCode.INVALID_REQUEST,
                "tags[1]: has the wrong type");
        assertProblem(
                echo("{\"name\":\"a\",\"count\":1,\"nested\":{\"level\":\"x\"}}"),
                400,
                ErrorCode.INVALID_REQUEST,
                "nested.level: has the wrong type");
    }

    @Test
    void refusesALoneSurrogateNamingTheField() {
        assertProblem(
                echo("{\"name\":\"\\ud800\",\"count\":1}"),
                400,
                ErrorCode.INVALID_REQUEST,
                "name: is not well-formed Unicode (a lone surrogate)");
        assertProblem(
                echo("{\"name\":\"a\",\"count\":1,\"tags\":[\"\\udc00x\"]}"),
                400,
                ErrorCode.INVALID_REQUEST,
                "tags[0]: is not well-formed Unicode (a lone surrogate)");
        // a well-formed pair is a character
        assertThat(echo("{\"name\":\"\\ud83d\\ude00\",\"count\":1}")
                        .json()
                        .path("name")
                        .asString())
                .isEqualTo("\ud83d\ude00");
    }

    @Test
    void answersAWrongMethodWith405InvalidRequest() {
        TestWeb.Answer answer = request("DELETE", "/v1/me", null, (String) null);

        assertProblem(answer, 405, ErrorCode.INVALID_REQUEST, "DELETE is not supported here");
        assertThat(answer.header("Allow")).isEqualTo("GET");
        assertProblem(
                request("PUT", "/test/echo", JSON, "{}"), 405, ErrorCode.INVALID_REQUEST, "PUT is not supported here");
    }

    @Test
    void answersABodyThatIsNotJsonWith415InvalidRequest() {
        assertProblem(
                request("POST", "/test/echo", "text/plain", "name=x"),
                415,
                ErrorCode.INVALID_REQUEST,
                "the body must be application/json");
        assertProblem(
                request("POST", "/test/echo", "application/x-www-form-urlencoded", "name=x"),
                415,
                ErrorCode.INVALID_REQUEST,
                "the body must be application/json");
        assertProblem(
                request("POST", "/test/echo", null, "{}"),
                415,
                ErrorCode.INVALID_REQUEST,
                "the body must be application/json");
    }

    @Test
    void answersAnUnknownPathWith404NotFound() {
        assertProblem(get("/v1/nothing-here"), 404, ErrorCode.NOT_FOUND, "no such resource: /v1/nothing-here");
        assertProblem(get("/"), 404, ErrorCode.NOT_FOUND, "no such resource: /");
    }

    @Test
    void namesAMissingOrMalformedQueryParameter() {
        assertProblem(get("/test/param"), 400, ErrorCode.INVALID_REQUEST, "limit: is required");
        assertProblem(get("/test/param?limit=many"), 400, ErrorCode.INVALID_REQUEST, "limit: not a valid value");
        assertProblem(get("/test/param?limit=1.5"), 400, ErrorCode.INVALID_REQUEST, "limit: not a valid value");
        assertProblem(
                get("/test/param?limit=%zz"), 400, ErrorCode.INVALID_REQUEST, "query: malformed percent-encoding");
        assertThat(get("/test/param?limit=5").json().path("limit").asInt()).isEqualTo(5);
    }

    @Test
    void answersAnUnexpectedExceptionWith500InternalWithoutItsMessage() {
        TestWeb.Answer answer = get("/test/bug");

        assertProblem(answer, 500, ErrorCode.INTERNAL, "internal error");
        assertThat(answer.body()).doesNotContain("secret", "IllegalStateException");
    }

    @Test
    void answersADatabaseThatCannotBeReachedNowWith503UnavailableAndRetryAfter() {
        for (String failure :
                new String[] {"resource", "connection", "transient", "lock", "timeout", "recoverable", "transaction"}) {
            TestWeb.Answer answer = get("/test/database/" + failure);
            assertProblem(answer, 503, ErrorCode.UNAVAILABLE, "the database is unavailable; retry later");
            assertThat(answer.header("Retry-After")).as(failure).isEqualTo("1");
        }
    }

    @Test
    void answersADatabaseErrorThatNoRetryCanFixWith500Internal() {
        // a refused statement is a bug of the service, which should have checked its input or handled the conflict
        for (String failure : new String[] {"integrity", "duplicate", "grammar"}) {
            TestWeb.Answer answer = get("/test/database/" + failure);
            assertProblem(answer, 500, ErrorCode.INTERNAL, "internal error");
            assertThat(answer.header("Retry-After")).as(failure).isNull();
            assertThat(answer.body()).as(failure).doesNotContain("SELEKT", "column too long", "duplicate entry");
        }
    }

    @Test
    void answersARequestThatTimedOutWith503UnavailableAndRetryAfter() {
        TestWeb.Answer answer = get("/test/slow");

        assertProblem(answer, 503, ErrorCode.UNAVAILABLE, "the request was not answered in time; retry later");
        assertThat(answer.body()).doesNotContain("Exception");
        assertThat(answer.header("Retry-After")).isEqualTo("1");
    }
}
