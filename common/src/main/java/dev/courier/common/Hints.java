package dev.courier.common;

/**
 * Push hints on Redis pub/sub (PROTOCOL.md, "Redis"): channel {@code courier:hint:<userId>}, payload the user's new
 * inbox head seq in decimal, or {@link #ACCOUNT} / {@link #CONTACTS} / {@link #CONVERSATIONS} /
 * {@link #GROUPS} when those changed. A hint may be lost; it only
 * tells a client to sync sooner.
 */
public final class Hints {

    public static final String CHANNEL_PREFIX = "courier:hint:";

    /** What an inbox hint is about, in {@code hint} frames. */
    public static final String INBOX = "inbox";

    public static final String ACCOUNT = "account";

    public static final String CONTACTS = "contacts";

    /** Conversation states changed without a new inbox entry (a read on another device, a read receipt, a mute). */
    public static final String CONVERSATIONS = "conversations";

    /** The object of a group of the user changed (the groups data type moved on). */
    public static final String GROUPS = "groups";

    private Hints() {}

    public static String channel(String userId) {
        return CHANNEL_PREFIX + userId;
    }
}
