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
     */
    record MessagePosted(
            String messageId,
            String clientMsgId,
            String conversation,
            String from,
            String kind,
            JsonNode content,
            Instant sentAt,
            @Nullable String origin)
            implements ConversationRecord {

        public static final String TYPE = "message";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** Users join a group; {@code eventId} makes a redelivered record harmless. */
    record MembersAdded(String eventId, String groupId, List<String> userIds, String by, Instant at)
            implements ConversationRecord {

        public static final String TYPE = "members.added";

        @Override
        public String conversation() {
            return ConversationId.group(groupId).value();
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** A user leaves a group, or is removed by its owner. */
    record MemberRemoved(String eventId, String groupId, String userId, String by, Instant at)
            implements ConversationRecord {

        public static final String TYPE = "member.removed";

        @Override
        public String conversation() {
            return ConversationId.group(groupId).value();
        }

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
}
