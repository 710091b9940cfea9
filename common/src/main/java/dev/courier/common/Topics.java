package dev.courier.common;

/**
 * Kafka topic names of the pipeline (PROTOCOL.md, "Kafka topics").
 */
public final class Topics {

    /** Messages and membership changes, keyed by conversation id. */
    public static final String CONVERSATIONS = "courier.conversations";

    /**
     * Inbox entries, one record per message and inbox partition (see {@link InboxEntries}), and conversation states:
     * the lane of direct conversations and of each user's own records.
     */
    public static final String INBOX = "courier.inbox";

    /**
     * The inbox lane of group conversations: partitioned as {@link #INBOX} and read by the same writer, so a user's
     * inbox keeps one writer, while a storm of group fan-out never queues in front of direct chat.
     */
    public static final String INBOX_GROUPS = "courier.inbox.groups";

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

    /**
     * The inbox lane of a conversation's records: every record of one conversation travels one lane, so the order of
     * its log holds in each inbox.
     */
    public static String inboxLane(String conversation) {
        return conversation.startsWith("g:") ? INBOX_GROUPS : INBOX;
    }

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
