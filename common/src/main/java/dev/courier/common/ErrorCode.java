package dev.courier.common;

import java.util.Locale;

/**
 * The stable machine codes of problem+json errors (PROTOCOL.md, "Errors"), with the HTTP status each one is sent with.
 */
public enum ErrorCode {
    INVALID_REQUEST(400, "Invalid request"),
    UNAUTHENTICATED(401, "Unauthenticated"),
    FORBIDDEN(403, "Forbidden"),
    NOT_FOUND(404, "Not found"),
    CONFLICT(409, "Conflict"),
    NOT_MEMBER(403, "Not a member"),
    BLOCKED(403, "Blocked"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    INVALID_SYNC_KEY(400, "Invalid sync key"),
    RATE_LIMITED(429, "Rate limited"),
    INTERNAL(500, "Internal error"),
    UNAVAILABLE(503, "Service unavailable");

    private final int status;

    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The wire form: {@code invalid_request}, {@code not_member}, ... */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
