package dev.courier.client;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * This user's state of one conversation, as sync deltas and the conversation calls describe it: what the chat list
 * shows. A newer state of the same conversation has a higher {@code version}; keep the state with the highest one.
 *
 * @param conversation {@code g:<groupId>}, or {@code d:<a>:<b>} for the direct chat of users a and b
 * @param lastConvSeq the newest {@code convSeq} this user can see in it
 * @param lastMessage the newest message, in its current state; null while there is none
 * @param readSeq the highest {@code convSeq} this user has read, on any device (sending marks read, too)
 * @param unread how many messages after {@code readSeq} count for this user (not its own)
 * @param peerReadSeq in a direct conversation the other user's {@code readSeq}: the read receipt; null in a group
 * @param muted whether this user muted it (it still counts unread)
 * @param version this user's conversations version at the last change of this state
 */
public record Conversation(
        String conversation,
        long lastConvSeq,
        @Nullable LastMessage lastMessage,
        long readSeq,
        int unread,
        @Nullable Long peerReadSeq,
        boolean muted,
        long version) {

    /** Whether this is a direct conversation of two users (else a group's). */
    public boolean direct() {
        return conversation.startsWith("d:");
    }

    /** Whether the other user of a direct conversation has read up to the message numbered {@code convSeq}. */
    public boolean readByPeer(long convSeq) {
        return peerReadSeq != null && peerReadSeq >= convSeq;
    }

    /** The id of the direct conversation of two users: {@code d:<a>:<b>} with a &lt; b. */
    public static String directId(String userId, String otherUserId) {
        return userId.compareTo(otherUserId) < 0
                ? "d:" + userId + ":" + otherUserId
                : "d:" + otherUserId + ":" + userId;
    }

    /**
     * The newest message of a conversation (never a lifecycle entry; it may be a system message), as the chat list
     * shows it, in its current state:
     * the last edit's text, or {@link Content.Recalled} content once recalled.
     *
     * @param replyTo the message id of the message it replies to, or null
     * @param editedAt when it was last edited, or null
     */
    public record LastMessage(
            long convSeq,
            String messageId,
            String from,
            Content content,
            Instant sentAt,
            @Nullable String replyTo,
            @Nullable Instant editedAt) {

        /** A last message that replies to nothing and was never edited. */
        public LastMessage(long convSeq, String messageId, String from, Content content, Instant sentAt) {
            this(convSeq, messageId, from, content, sentAt, null, null);
        }

        /** Whether its sender recalled it. */
        public boolean recalled() {
            return content instanceof Content.Recalled;
        }

        /** Whether it is a system message (a change to a group, see {@link Message#isSystem()}). */
        public boolean isSystem() {
            return content instanceof Content.SystemEvent;
        }

        /** The text of a text message, what a system message says happened, or a short description of anything else. */
        public String text() {
            return Message.text(content, from);
        }
    }
}
