package dev.courier.common;

/**
 * Kafka topic names of the pipeline (PROTOCOL.md, "Kafka topics").
 */
public final class Topics {

    /** Messages and membership changes, keyed by conversation id. */
    public static final String CONVERSATIONS = "courier.conversations";

    /** Inbox entries, one record per message and inbox partition (see {@link InboxEntries}). */
    public static final String INBOX = "courier.inbox";

    /** Messages the expansion stage entered in bridge identities' inboxes, keyed by conversation id. */
    public static final String EXPANDED = "courier.expanded";

    /**
     * Push candidates ({@link PushCandidate}), keyed by user id: written by the inbox writer after its commit, read by
     * the push-worker.
     */
    public static final String PUSH = "courier.push";

    public static final String BRIDGE_IN_PREFIX = "courier.bridge.in.";

    public static final String BRIDGE_OUT_PREFIX = "courier.bridge.out.";

    /** Suffix of the dead-letter topic of any topic. */
    public static final String DLT_SUFFIX = ".dlt";

    private Topics() {}

    public static String deadLetter(String topic) {
        return topic + DLT_SUFFIX;
    }

    public static String bridgeIn(String system) {
        return BRIDGE_IN_PREFIX + system;
    }

    public static String bridgeOut(String system) {
        return BRIDGE_OUT_PREFIX + system;
    }
}
