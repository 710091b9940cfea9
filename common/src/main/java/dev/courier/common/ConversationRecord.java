package dev.courier.common;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A record of {@link Topics#CONVERSATIONS}, keyed by {@link #conversation()}. Messages and membership changes of a
 * group share the key, so the fanout-worker applies them in log order (DESIGN.md, principle 2).
 */
public sealed interface ConversationRecord {

    /** Schema version written into every record as {@code v}. */
    int VERSION = 1;

    /** The Kafka key. */
    String conversation();

    /** The wire {@code type}. */
    String type();

    /**
     * A send accepted by the gateway or the bridge-worker.
     *
     * @param origin the bridge system the message came from, {@code null} for a Courier client
     * @param replyTo the message of the same conversation it replies to, or {@code null}
     */
    record MessagePosted(
            String messageId,
            String clientMsgId,
            String conversation,
            String from,
            String kind,
            JsonNode content,
            Instant sentAt,
            @Nullable String origin,
            @Nullable String replyTo)
            implements ConversationRecord {

        public static final String TYPE = "message";

        /** A message that replies to none. */
        public MessagePosted(
                String messageId,
                String clientMsgId,
                String conversation,
                String from,
                String kind,
                JsonNode content,
                Instant sentAt,
                @Nullable String origin) {
            this(messageId, clientMsgId, conversation, from, kind, content, sentAt, origin, null);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A change of a group by {@code by} at {@code at}, checked and applied at its point in the group's log (the gateway
     * checked early): every one but a member's mute is entered in the members' inboxes as a {@code system} message.
     * {@code eventId} identifies the change forever, so a redelivered record changes nothing twice.
     */
    sealed interface GroupChange extends ConversationRecord {

        String eventId();

        String groupId();

        /** A user id, or {@code bridge:<system>} for a bridge identity joining. */
        String by();

        Instant at();

        @Override
        default String conversation() {
            return ConversationId.group(groupId()).value();
        }
    }

    /**
     * A group was created (by the gateway, with its first members): its {@code group.created} system message is the
     * group's first entry. The expansion stage also makes that entry before the first record of a group that has none,
     * so a record lost between the creation and the log costs nothing.
     */
    record GroupCreated(String groupId, String by, Instant at) implements ConversationRecord {

        public static final String TYPE = "group.created";

        @Override
        public String conversation() {
            return ConversationId.group(groupId).value();
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** Users join a group. */
    record MembersAdded(String eventId, String groupId, List<String> userIds, String by, Instant at)
            implements GroupChange {

        public static final String TYPE = "members.added";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** A user leaves a group, or is removed by its owner or an admin. */
    record MemberRemoved(String eventId, String groupId, String userId, String by, Instant at) implements GroupChange {

        public static final String TYPE = "member.removed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** The owner or an admin changes the name, the announcement or the group mute (null: unchanged). */
    record GroupUpdated(
            String eventId,
            String groupId,
            @Nullable String name,
            @Nullable String announcement,
            @Nullable Boolean muted,
            String by,
            Instant at)
            implements GroupChange {

        public static final String TYPE = "group.updated";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** The owner makes a member an admin ({@code admin}) or takes that back. */
    record AdminChanged(String eventId, String groupId, String userId, boolean admin, String by, Instant at)
            implements GroupChange {

        public static final String TYPE = "admin.changed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** The owner hands the group to a member; the old owner stays as an admin. */
    record OwnerChanged(String eventId, String groupId, String userId, String by, Instant at) implements GroupChange {

        public static final String TYPE = "owner.changed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * The owner or an admin mutes a member ({@code muted}; until {@code until}, or until unmuted when null) or unmutes
     * them: a muted member's messages are refused. Not a system message.
     */
    record MemberMuted(
            String eventId,
            String groupId,
            String userId,
            boolean muted,
            @Nullable Instant until,
            String by,
            Instant at)
            implements GroupChange {

        public static final String TYPE = "member.muted";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** The owner dissolves the group: no more sends or changes; members keep its history. */
    record GroupDissolved(String eventId, String groupId, String by, Instant at) implements GroupChange {

        public static final String TYPE = "group.dissolved";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * {@code by} blocks ({@code blocked}) or unblocks {@code userId}, in the log of their direct conversation: a message
     * of {@code userId} after it in that log is refused.
     */
    record BlockChanged(String eventId, String conversation, String by, String userId, boolean blocked, Instant at)
            implements ConversationRecord {

        public static final String TYPE = "block.changed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * The user read the conversation up to {@code convSeq}: ordered in the conversation's log, so a message that
     * arrives meanwhile stays unread. Applied as the highest {@code convSeq} read so far, so a replay is harmless.
     */
    record ConversationRead(String conversation, String userId, long convSeq, Instant at)
            implements ConversationRecord {

        public static final String TYPE = "conversation.read";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A change of a stored message of the conversation, by {@code by} at {@code at}: ordered in the conversation's log
     * like a message, and entered as an entry of its own in the inbox of every member who saw the target (a delete:
     * only in the actor's).
     */
    sealed interface MessageChange extends ConversationRecord {

        /** The message changed. */
        String messageId();

        String by();

        Instant at();
    }

    /** The sender takes the message back: it stops counting as unread and shows no content. */
    record MessageRecalled(String conversation, String messageId, String by, Instant at) implements MessageChange {

        public static final String TYPE = "message.recalled";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** The sender replaces the text of a text message; {@code eventId} makes a redelivered record harmless. */
    record MessageEdited(String eventId, String conversation, String messageId, String by, String text, Instant at)
            implements MessageChange {

        public static final String TYPE = "message.edited";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** A user removes the message from their own view (history, first syncs, unread counts) on all their devices. */
    record MessageDeleted(String conversation, String messageId, String by, Instant at) implements MessageChange {

        public static final String TYPE = "message.deleted";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** A member adds ({@code added}) or removes a reaction; a change that changes nothing is no entry. */
    record ReactionChanged(
            String eventId, String conversation, String messageId, String by, String emoji, boolean added, Instant at)
            implements MessageChange {

        public static final String TYPE = "reaction.changed";

        @Override
        public String type() {
            return TYPE;
        }
    }
}
