package dev.courier.client;

/**
 * The server refused a request for good: a problem+json answer ({@code 4xx} other than 429, or a 5xx that is not
 * {@code unavailable}), or the equivalent WebSocket {@code error} frame. Retrying the same request cannot succeed.
 */
public final class CourierException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Never null: the constructor sets it. */
    @Override
    public String getMessage() {
        return String.valueOf(super.getMessage());
    }

    private final int status;

    private final String code;

    private final String detail;

    public CourierException(int status, String code, String detail) {
        super(status + " " + code + ": " + detail);
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    /** The HTTP status, for example 404. */
    public int status() {
        return status;
    }

    /** The stable machine code of PROTOCOL.md, for example {@code not_found}. */
    public String code() {
        return code;
    }

    /** The human-readable detail, naming the offending field first. */
    public String detail() {
        return detail;
    }
}
