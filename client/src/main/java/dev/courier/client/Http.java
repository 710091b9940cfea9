package dev.courier.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One request and its answer, classified: success, a refusal for good ({@link CourierException}), or a failure worth
 * retrying ({@link Retryable}, {@link Unauthorized}, any other {@link IOException}).
 */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client;

    Http(HttpClient client) {
        this.client = client;
    }

    /** An answer with a status below 300. */
    record Response(int status, HttpHeaders headers, JsonNode body) {}

    /**
     * @param timeout how long to wait for the response headers once the request is out
     * @throws CourierException when the server refused the request for good
     * @throws Unauthorized when the server refused {@code token}
     * @throws Retryable when the server asked to retry (429, 503, or a proxy's 502 or 504)
     * @throws IOException when the exchange failed (no connection, no answer in time)
     */
    Response send(String method, URI uri, @Nullable String token, @Nullable JsonNode body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status < 300) {
            return new Response(status, response.headers(), json);
        }
        throw failure(status, json, response.headers().firstValue("Retry-After").orElse(null), token);
    }

    /**
     * The retryable failure a problem answer (HTTP, or a WebSocket error frame) stands for.
     *
     * @throws CourierException when the problem is final
     */
    static IOException failure(int status, JsonNode problem, @Nullable String retryAfter, @Nullable String token) {
        String code = problem.path("code").isString() ? problem.path("code").stringValue() : codeFor(status);
        String detail =
                problem.path("detail").isString() ? problem.path("detail").stringValue() : "HTTP status " + status;
        if (status == 429 || status == 502 || status == 503 || status == 504) {
            return new Retryable(status + " " + code + ": " + detail, parseRetryAfter(retryAfter));
        }
        if (status == 401 && token != null) {
            return new Unauthorized(token, detail);
        }
        throw new CourierException(status, code, detail);
    }

    static JsonNode parse(@Nullable String body) {
        if (body == null || body.isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            return JSON.missingNode();
        }
    }

    /** {@code Retry-After} in seconds or as an HTTP date; {@code null} when absent or unreadable. */
    static @Nullable Duration parseRetryAfter(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration left = Duration.between(Instant.now(), at);
                return left.isNegative() ? Duration.ZERO : left;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 429 -> "rate_limited";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "invalid_request";
        };
    }

    /** The server asked to retry later; the same request may be sent again. */
    static final class Retryable extends IOException {

        private static final long serialVersionUID = 1L;

        private final transient @Nullable Duration retryAfter;

        Retryable(String message, @Nullable Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        @Nullable
        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** The server refused the token: log in again, then retry. */
    static final class Unauthorized extends IOException {

        private static final long serialVersionUID = 1L;

        /** Never null: every constructor sets the message. */
        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

        private final String token;

        Unauthorized(String token, String detail) {
            super("401 unauthenticated: " + detail);
            this.token = token;
        }

        String token() {
            return token;
        }
    }
}
