package dev.courier.fanout.expansion;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.courier.common.ConversationRecord;

/**
 * What the expansion stage stores: message bodies (once each) and the membership history of groups, versioned in log
 * order so that the members of any stored message can be recomputed exactly after a redelivery.
 */
@Repository
class ExpansionRepository {

    private static final String STORED_VERSION = """
            SELECT members_version FROM messages WHERE message_id = :messageId
            """;

    private static final String INSERT_MESSAGE = """
            INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content, sent_at,
                                  members_version, origin, stored_at)
            VALUES (:messageId, :conversation, :sender, :clientMsgId, :kind, :content, :sentAt,
                    :membersVersion, :origin, :now)
            """;

    private static final String LOCK_GROUP = """
            SELECT members_version FROM chat_groups WHERE group_id = :groupId FOR UPDATE
            """;

    private static final String GROUP_VERSION = """
            SELECT members_version FROM chat_groups WHERE group_id = :groupId
            """;

    private static final String MEMBERS_AT = """
            SELECT user_id FROM group_members
            WHERE group_id = :groupId AND joined_version <= :version
              AND (left_version IS NULL OR left_version > :version)
            """;

    private static final String EVENT_APPLIED = """
            SELECT COUNT(*) FROM group_events WHERE event_id = :eventId
            """;

    private static final String JOIN = """
            INSERT INTO group_members (group_id, user_id, joined_version) VALUES (:groupId, :userId, :version)
            """;

    private static final String LEAVE = """
            UPDATE group_members SET left_version = :version
            WHERE group_id = :groupId AND user_id = :userId AND left_version IS NULL
            """;

    private static final String IS_MEMBER = """
            SELECT COUNT(*) FROM group_members
            WHERE group_id = :groupId AND user_id = :userId AND left_version IS NULL
            """;

    private static final String BUMP_VERSION = """
            UPDATE chat_groups SET members_version = :version WHERE group_id = :groupId
            """;

    private static final String RECORD_EVENT = """
            INSERT INTO group_events (event_id, group_id, members_version, applied_at)
            VALUES (:eventId, :groupId, :version, :now)
            """;

    private final JdbcClient jdbc;

    ExpansionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Whether the message is stored already, and with which members version (0 for a direct message): a stored
     * message is a redelivery or a retried send and keeps the recipients of its first expansion.
     */
    Optional<Long> storedVersion(String messageId) {
        return jdbc.sql(STORED_VERSION)
            .param("messageId", messageId)
            .query((rs, row) -> rs.getLong(1))
            .optional();
    }

    void store(ConversationRecord.MessagePosted message, long membersVersion, long now) {
        jdbc.sql(INSERT_MESSAGE)
            .param("messageId", message.messageId())
            .param("conversation", message.conversation())
            .param("sender", message.from())
            .param("clientMsgId", message.clientMsgId())
            .param("kind", message.kind())
            .param("content", message.content().toString())
            .param("sentAt", message.sentAt().toEpochMilli())
            .param("membersVersion", membersVersion)
            .param("origin", message.origin())
            .param("now", now)
            .update();
    }

    /** The group's current members version, if the group exists. */
    Optional<Long> groupVersion(String groupId) {
        return jdbc.sql(GROUP_VERSION).param("groupId", groupId).query(Long.class).optional();
    }

    List<String> membersAt(String groupId, long version) {
        return jdbc.sql(MEMBERS_AT).param("groupId", groupId).param("version", version).query(String.class).list();
    }

    boolean isApplied(String eventId) {
        return jdbc.sql(EVENT_APPLIED).param("eventId", eventId).query(Long.class).single() > 0;
    }

    /** Locks the group row for a membership change and returns its version, if the group exists. */
    Optional<Long> lockGroup(String groupId) {
        return jdbc.sql(LOCK_GROUP).param("groupId", groupId).query(Long.class).optional();
    }

    boolean isMember(String groupId, String userId) {
        return jdbc.sql(IS_MEMBER).param("groupId", groupId).param("userId", userId).query(Long.class).single() > 0;
    }

    void join(String groupId, String userId, long version) {
        jdbc.sql(JOIN).param("groupId", groupId).param("userId", userId).param("version", version).update();
    }

    void leave(String groupId, String userId, long version) {
        jdbc.sql(LEAVE).param("groupId", groupId).param("userId", userId).param("version", version).update();
    }

    void recordEvent(String eventId, String groupId, long version, long now) {
        jdbc.sql(BUMP_VERSION).param("groupId", groupId).param("version", version).update();
        jdbc.sql(RECORD_EVENT)
            .param("eventId", eventId)
            .param("groupId", groupId)
            .param("version", version)
            .param("now", now)
            .update();
    }
}
