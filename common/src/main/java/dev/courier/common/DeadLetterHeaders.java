package dev.courier.common;

/**
 * The one dead-letter scheme of Courier (PROTOCOL.md, "Kafka topics"): a record that can never be processed goes to
 * {@code <topic>.dlt} with its original key and value and these headers.
 */
public final class DeadLetterHeaders {

    /** Why, as an error code: {@code invalid_request}, {@code payload_too_large}, {@code not_member}, ... */
    public static final String REASON = "courier.dlt.reason";

    /** Why, in words, naming the field at fault where there is one. */
    public static final String DETAIL = "courier.dlt.detail";

    /** Where the record was: {@code topic/partition/offset}. */
    public static final String SOURCE = "courier.dlt.source";

    private DeadLetterHeaders() {}
}
