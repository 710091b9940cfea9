package dev.courier.web;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
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

    /** The code that goes with an HTTP status when nothing more specific is known. */
    public static ErrorCode codeFor(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST;
        };
    }
}
