package dev.courier.common;

import org.jspecify.annotations.Nullable;

/**
 * What the inbox writer applies to one user's inbox and conversation states, in the order of that user's partition of
 * {@link Topics#INBOX}: an {@link Entry} (a message entered in the inbox) from an {@link InboxEntries} or
 * {@link InboxEntry} record, or one of the records of this interface, which travel the topic as they are.
 */
public sealed interface InboxRecord {

    /** The user whose inbox partition the record belongs to (the record is keyed by it). */
    String userId();

    /** The conversation the record is about. */
    String conversation();

    /**
     * A message entered in the user's inbox.
     *
     * @param convSeq the message's number in its conversation (0: not known, look it up)
     * @param from the sender (null: not known, look it up)
     * @param kind the message's kind (null: not known, look it up)
     */
    record Entry(
            String userId,
            String messageId,
            String conversation,
            long convSeq,
            @Nullable String from,
            @Nullable String kind)
            implements InboxRecord {}

    /** The user read the conversation up to {@code convSeq} (on any device). */
    record Read(String userId, String conversation, long convSeq) implements InboxRecord {

        public static final String TYPE = "conversation.read";
    }

    /** The other user of the user's direct conversation read it up to {@code convSeq}: the read receipt. */
    record PeerRead(String userId, String conversation, long convSeq) implements InboxRecord {

        public static final String TYPE = "conversation.peer_read";
    }

    /** The user muted or unmuted the conversation. */
    record Muted(String userId, String conversation, boolean muted) implements InboxRecord {

        public static final String TYPE = "conversation.muted";
    }

    /**
     * The object of a group the user is (or was, until this change) in changed: the user's groups data type moves on.
     *
     * @param left the user left the group or was removed with this change
     * @param dissolved the group was dissolved with this change
     */
    record GroupChanged(String userId, String conversation, boolean left, boolean dissolved) implements InboxRecord {

        public static final String TYPE = "group.changed";
    }
}
