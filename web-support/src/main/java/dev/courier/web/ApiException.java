package dev.courier.web;

import dev.courier.common.ErrorCode;

/**
 * An error answered to the client as problem+json with a stable {@code code}. Throw it anywhere in a request; the
 * {@link ProblemHandler} turns it into the response.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Never null: every constructor sets the message. */
    @Override
    public String getMessage() {
        return String.valueOf(super.getMessage());
    }

    private final ErrorCode code;

    private final int status;

    private long retryAfterSeconds;

    public ApiException(ErrorCode code, String detail) {
        this(code, code.status(), detail);
    }

    public ApiException(ErrorCode code, int status, String detail) {
        super(detail);
        this.code = code;
        this.status = status;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** Seconds after which a retry may succeed ({@code Retry-After}), 0 when unknown. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Sets {@code Retry-After}; returns this. */
    public ApiException retryAfter(long seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    public static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(ErrorCode.NOT_FOUND, detail);
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(ErrorCode.UNAVAILABLE, detail);
    }
}
