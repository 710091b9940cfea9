package dev.courier.web;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import dev.courier.common.ErrorCode;
import dev.courier.common.Json;

/** Builds the problem+json bodies of PROTOCOL.md: {@code {type, title, status, detail, code}}. */
public final class Problems {

    private static final String TYPE_BASE = "https://courier.dev/problems/";

    private Problems() {}

    public static ProblemDetail body(ErrorCode code, int status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
        problem.setType(URI.create(TYPE_BASE + code.code()));
        problem.setTitle(code.title());
        problem.setProperty("code", code.code());
        return problem;
    }

    public static ResponseEntity<Object> response(ErrorCode code, int status, String detail, HttpHeaders headers) {
        HttpHeaders all = new HttpHeaders();
        all.addAll(headers);
        all.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (code == ErrorCode.UNAUTHENTICATED) {
            all.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (code == ErrorCode.UNAVAILABLE && !all.containsHeader(HttpHeaders.RETRY_AFTER)) {
            all.set(HttpHeaders.RETRY_AFTER, "1");
        }
        return ResponseEntity.status(status).headers(all).body(body(code, status, detail));
    }

    /** Writes a problem straight to a servlet response, for filters that answer before any controller. */
    static void write(HttpServletResponse response, ErrorCode code, int status, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json(code, status, detail));
    }

    /** The problem as JSON bytes, for writers outside Spring MVC's message converters. */
    static byte[] json(ErrorCode code, int status, String detail) {
        ProblemDetail problem = body(code, status, detail);
        return Json.MAPPER
                .createObjectNode()
                .put("type", String.valueOf(problem.getType()))
                .put("title", problem.getTitle())
                .put("status", status)
                .put("detail", detail)
                .put("code", code.code())
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The code that goes with an HTTP status when nothing more specific is known. {@code 501} and {@code 505} are the
     * servlet container's answers to a request it cannot serve (a transfer encoding, an HTTP version it does not
     * support): the request is at fault, so they are {@code invalid_request}; {@code internal} is kept for bugs.
     */
    public static ErrorCode codeFor(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 501, 505 -> ErrorCode.INVALID_REQUEST;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST;
        };
    }

    /** The detail of an error known only by its status (answered by the servlet container, or a filter's). */
    static String detailFor(int status) {
        return switch (status) {
            case 400 -> "the request is malformed";
            case 404 -> "no such resource";
            case 413 -> "the request body is too large";
            case 501 -> "the request's transfer encoding is not supported";
            case 505 -> "the request's HTTP version is not supported (HTTP/1.1 is)";
            default -> {
                if (codeFor(status) == ErrorCode.INTERNAL) {
                    yield "internal error";
                }
                HttpStatus known = HttpStatus.resolve(status);
                // the status's own title where it has one (503: Service Unavailable)
                yield status >= 500 && known != null ? known.getReasonPhrase() : "the request was rejected";
            }
        };
    }
}
