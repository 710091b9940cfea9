package dev.courier.web;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import dev.courier.common.ErrorCode;
import dev.courier.common.SyncKeyCodec;

/**
 * Endpoints of the test application that provoke every kind of error a Courier controller can meet, so that
 * {@link ProblemHandler}, {@link BodySizeFilter} and {@link ProblemErrorController} can be tested without a service's
 * own controllers.
 */
@RestController
@RequestMapping("/test")
class TroubleController {

    /** A request body with the kinds of rules the services' request records have. */
    record Echo(
            @NotBlank String name,
            @NotNull @Min(1) @Max(10) Integer count,
            @Nullable List<@NotBlank String> tags,
            @Valid @Nullable Nested nested) {}

    record Nested(@NotNull Integer level) {}

    @PostMapping("/echo")
    Echo echo(@Valid @RequestBody Echo echo) {
        return echo;
    }

    /** Reads a body of any type as text, as far as the body size filter lets it. */
    @PostMapping("/text")
    Map<String, Integer> text(@RequestBody String text) {
        return Map.of("length", text.length());
    }

    @GetMapping("/api/{code}")
    void api(@PathVariable String code, @RequestParam(defaultValue = "0") long retryAfter) {
        throw new ApiException(ErrorCode.valueOf(code.toUpperCase(Locale.ROOT)), code + ": provoked")
                .retryAfter(retryAfter);
    }

    @GetMapping("/api-status/{status}")
    void apiWithStatus(@PathVariable int status) {
        throw new ApiException(ErrorCode.INVALID_REQUEST, status, "field: provoked");
    }

    @GetMapping("/sync-key")
    void syncKey() {
        throw new SyncKeyCodec.InvalidSyncKeyException("not a key of this server");
    }

    @GetMapping("/database/{failure}")
    void database(@PathVariable String failure) {
        throw switch (failure) {
            case "resource" -> new DataAccessResourceFailureException("connection refused");
            case "connection" -> new CannotGetJdbcConnectionException("pool exhausted");
            case "transient" -> new TransientDataAccessResourceException("read only");
            case "lock" -> new CannotAcquireLockException("lock wait timeout");
            case "timeout" -> new QueryTimeoutException("statement timeout");
            case "recoverable" -> new RecoverableDataAccessException("connection reset");
            case "transaction" -> new CannotCreateTransactionException("no connection for a transaction");
            case "integrity" -> new DataIntegrityViolationException("column too long");
            case "duplicate" -> new DuplicateKeyException("duplicate entry");
            case "grammar" -> new BadSqlGrammarException("query", "SELEKT", new java.sql.SQLException("syntax"));
            default -> new IllegalArgumentException(failure);
        };
    }

    @GetMapping("/bug")
    void bug() {
        throw new IllegalStateException("a secret of the server");
    }

    @GetMapping("/param")
    Map<String, Integer> param(@RequestParam int limit) {
        return Map.of("limit", limit);
    }

    /** Never answers: the request times out after a millisecond. */
    @GetMapping("/slow")
    DeferredResult<String> slow() {
        return new DeferredResult<>(1L);
    }

    /** An error answered by the servlet container's error page, as a filter or the container itself would. */
    @GetMapping("/send-error/{status}")
    void sendError(@PathVariable int status, HttpServletResponse response) throws IOException {
        response.sendError(status);
    }
}
