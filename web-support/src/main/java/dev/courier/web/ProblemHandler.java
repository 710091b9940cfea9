package dev.courier.web;

import java.util.Collection;
import java.util.stream.Collectors;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;

import dev.courier.common.ErrorCode;
import dev.courier.common.SyncKeyCodec;
import dev.courier.common.Text;

/**
 * Answers every error of a request as problem+json with a stable {@code code}. Bad input is a 4xx naming the field; a
 * dependency that is down is {@code 503 unavailable} (retry is safe); only a bug is a 500.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> api(ApiException e) {
        HttpHeaders headers = new HttpHeaders();
        if (e.retryAfterSeconds() > 0) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        return Problems.response(e.code(), e.status(), e.getMessage(), headers);
    }

    @ExceptionHandler(SyncKeyCodec.InvalidSyncKeyException.class)
    ResponseEntity<Object> syncKey(SyncKeyCodec.InvalidSyncKeyException e) {
        return Problems.response(ErrorCode.INVALID_SYNC_KEY, 400, "syncKey: " + e.getMessage(), HttpHeaders.EMPTY);
    }

    /** A malformed percent-escape in the query string, found by the servlet container while reading parameters. */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Object> malformedQuery(InvalidParameterException e) {
        return Problems.response(
                ErrorCode.INVALID_REQUEST, 400, "query: malformed percent-encoding", HttpHeaders.EMPTY);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> parameterType(MethodArgumentTypeMismatchException e) {
        return Problems.response(
                ErrorCode.INVALID_REQUEST, 400, e.getName() + ": not a valid value", HttpHeaders.EMPTY);
    }

    @ExceptionHandler({
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class,
        RecoverableDataAccessException.class,
        QueryTimeoutException.class,
        CannotCreateTransactionException.class
    })
    ResponseEntity<Object> databaseDown(Exception e) {
        log.warn("Database unavailable: {}", e.getMessage());
        return Problems.response(
                ErrorCode.UNAVAILABLE, 503, "the database is unavailable; retry later", HttpHeaders.EMPTY);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> bug(Exception e) {
        log.error("Unexpected error", e);
        return Problems.response(ErrorCode.INTERNAL, 500, "internal error", HttpHeaders.EMPTY);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleExceptionInternal(
            Exception ex, @Nullable Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        int status = statusCode.value();
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BodySizeFilter.TooLargeException tooLarge) {
                return Problems.response(ErrorCode.PAYLOAD_TOO_LARGE, 413, tooLarge.getMessage(), HttpHeaders.EMPTY);
            }
        }
        if (status >= 500 && !(ex instanceof AsyncRequestTimeoutException)) {
            // a bug: logged in full, never described to the client
            log.error("Unexpected error", ex);
            return Problems.response(ErrorCode.INTERNAL, status, "internal error", headers);
        }
        if (ex instanceof AsyncRequestTimeoutException) {
            status = 503;
        }
        return Problems.response(Problems.codeFor(status), status, describe(ex, status), headers);
    }

    private static String describe(Exception ex, int status) {
        return switch (ex) {
            case MethodArgumentNotValidException invalid ->
                invalid.getBindingResult().getAllErrors().stream()
                        .map(error -> error instanceof FieldError field
                                ? field.getField() + ": " + field.getDefaultMessage()
                                : error.getDefaultMessage())
                        .sorted()
                        .collect(Collectors.joining("; "));
            case HttpMessageNotReadableException unreadable -> describeUnreadable(unreadable);
            case MissingServletRequestParameterException missing -> missing.getParameterName() + ": is required";
            case NoResourceFoundException notFound -> "no such resource: /" + notFound.getResourcePath();
            case HttpRequestMethodNotSupportedException method -> method.getMethod() + " is not supported here";
            case HttpMediaTypeNotSupportedException media -> "the body must be application/json";
            case AsyncRequestTimeoutException timeout -> "the request was not answered in time; retry later";
            default -> ex.getMessage() != null ? ex.getMessage() : Problems.detailFor(status);
        };
    }

    private static String describeUnreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodySizeFilter.TooLargeException tooLarge) {
                return tooLarge.getMessage();
            }
        }
        // Jackson's messages of binding name the server's classes: the client is told what JSON was expected instead
        if (cause instanceof InvalidFormatException invalid
                && invalid.getValue() instanceof String text
                && !Text.isWellFormed(text)) {
            return path(invalid) + ": is not well-formed Unicode (a lone surrogate)";
        }
        if (cause instanceof MismatchedInputException mismatch) {
            return mismatch.getPath().isEmpty()
                    ? "body: must be " + expected(mismatch.getTargetType())
                    : path(mismatch) + ": has the wrong type";
        }
        if (cause instanceof StreamReadException read) {
            if (!read.getPath().isEmpty()) {
                return path(read) + ": " + read.getOriginalMessage();
            }
            if (read.getLocation() != null) {
                return "body: malformed JSON at line " + read.getLocation().getLineNr() + ", column "
                        + read.getLocation().getColumnNr();
            }
            return "body: " + read.getOriginalMessage();
        }
        if (cause instanceof JacksonException json) {
            return (json.getPath().isEmpty() ? "body" : path(json)) + ": cannot be read as the JSON expected there";
        }
        return "body: a JSON object is required";
    }

    /** The JSON type a value of the class is read from. */
    private static String expected(@Nullable Class<?> type) {
        if (type != null && (type.isArray() || Collection.class.isAssignableFrom(type))) {
            return "a JSON array";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type != null && (Number.class.isAssignableFrom(type) || type.isPrimitive())) {
            return "a number";
        }
        return "a JSON object";
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }
}
