package dev.courier.fanout.expansion;

import static dev.courier.fanout.SqlLists.chunks;
import static dev.courier.fanout.SqlLists.placeholders;
import static dev.courier.fanout.SqlLists.tuples;

import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.courier.common.ConversationRecord;

/**
 * What the expansion stage stores: message bodies (once each) and the membership history of groups, versioned in log
 * order so that the members of any stored message can be recomputed exactly after a redelivery. The queries a batch
 * needs for many messages or groups take them all at once, in statements of at most {@value #ROWS_PER_STATEMENT}
 * (portable SQL: MySQL 8.4 and MariaDB 11).
 */
@Repository
class ExpansionRepository {

    /** Rows (or ids) per statement: large enough to amortise a round trip, small enough for any packet limit. */
    static final int ROWS_PER_STATEMENT = 500;

    /**
     * Characters of message content per INSERT statement, at most, so that a statement stays well below the smallest
     * default {@code max_allowed_packet} (16 MiB on MariaDB) even with 3-byte UTF-8 and escaping; a message larger than
     * this gets a statement of its own.
     */
    static final int CONTENT_CHARS_PER_STATEMENT = 1024 * 1024;

    /** Groups per statement when reading members at given versions (each group brings up to its size in rows). */
    static final int GROUPS_PER_STATEMENT = 100;

    private static final String STORED_VERSIONS = """
            SELECT message_id, members_version FROM messages WHERE message_id IN (%s)
            """;

    private static final String INSERT_MESSAGES = """
            INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content, sent_at,
                                  members_version, origin, stored_at)
            VALUES %s
            """;

    private static final String GROUP_VERSIONS = """
            SELECT group_id, members_version FROM chat_groups WHERE group_id IN (%s)
            """;

    private static final String MEMBERS_AT_MANY = """
            SELECT group_id, user_id, joined_version, left_version FROM group_members WHERE %s
            ORDER BY group_id, user_id
            """;

    private static final String MEMBERS_AT_ONE = """
            (group_id = ? AND joined_version <= ? AND (left_version IS NULL OR left_version > ?))""";

    private static final String LOCK_GROUP = """
            SELECT members_version FROM chat_groups WHERE group_id = :groupId FOR UPDATE
            """;

    private static final String MEMBERS_AT = """
            SELECT user_id FROM group_members
            WHERE group_id = :groupId AND joined_version <= :version
              AND (left_version IS NULL OR left_version > :version)
            ORDER BY user_id
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

    private static final String KINDS = """
            SELECT user_id, kind FROM accounts WHERE user_id IN (%s)
            """;

    private final JdbcClient jdbc;

    ExpansionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Which of these messages are stored already, and with which members version (0 for a direct message): a stored
     * message is a redelivery or a retried send and keeps the recipients of its first expansion.
     */
    Map<String, Long> storedVersions(Collection<String> messageIds) {
        return longsById(STORED_VERSIONS, messageIds);
    }

    /** Stores new messages (none stored before, each once), with multi-row INSERTs. */
    void store(List<NewMessage> messages, long now) {
        int from = 0;
        while (from < messages.size()) {
            int to = from;
            long chars = 0;
            while (to < messages.size() && to - from < ROWS_PER_STATEMENT
                    && (to == from || chars + messages.get(to).content().length() <= CONTENT_CHARS_PER_STATEMENT)) {
                chars += messages.get(to).content().length();
                to++;
            }
            List<NewMessage> chunk = messages.subList(from, to);
            List<Object> args = new ArrayList<>(chunk.size() * 10);
            for (NewMessage stored : chunk) {
                ConversationRecord.MessagePosted message = stored.message();
                args.add(message.messageId());
                args.add(message.conversation());
                args.add(message.from());
                args.add(message.clientMsgId());
                args.add(message.kind());
                args.add(stored.content());
                args.add(message.sentAt().toEpochMilli());
                args.add(stored.membersVersion());
                // typed, so that a null does not make the driver describe the statement's parameters
                args.add(new SqlParameterValue(Types.VARCHAR, message.origin()));
                args.add(now);
            }
            jdbc.sql(INSERT_MESSAGES.formatted(tuples(chunk.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
                .params(args)
                .update();
            from = to;
        }
    }

    /** Whether each of these users that has an account is a bridge identity (an account of kind {@code bridge}). */
    Map<String, Boolean> bridgeIdentities(Collection<String> userIds) {
        Map<String, Boolean> kinds = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(userIds), ROWS_PER_STATEMENT)) {
            jdbc.sql(KINDS.formatted(placeholders(chunk.size())))
                .params(chunk)
                .query(rs -> {
                    kinds.put(rs.getString(1), "bridge".equals(rs.getString(2)));
                });
        }
        return kinds;
    }

    /** The current members version of each of these groups that exists. */
    Map<String, Long> groupVersions(Collection<String> groupIds) {
        return longsById(GROUP_VERSIONS, groupIds);
    }

    /** Runs an {@code id, number} query with an IN list (its {@code %s}) over the ids, in chunks. */
    private Map<String, Long> longsById(String template, Collection<String> ids) {
        Map<String, Long> found = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(ids), ROWS_PER_STATEMENT)) {
            jdbc.sql(template.formatted(placeholders(chunk.size())))
                .params(chunk)
                .query(rs -> {
                    found.put(rs.getString(1), rs.getLong(2));
                });
        }
        return found;
    }

    /** The members of each group at the given version (a group without members at it maps to an empty list). */
    Map<GroupVersion, List<String>> membersAt(Collection<GroupVersion> groupVersions) {
        Map<GroupVersion, List<String>> members = new HashMap<>();
        for (List<GroupVersion> chunk : chunks(List.copyOf(groupVersions), GROUPS_PER_STATEMENT)) {
            List<Object> args = new ArrayList<>(chunk.size() * 3);
            // a group may be asked at several versions: each row goes to every version it belongs to
            Map<String, List<GroupVersion>> asked = new HashMap<>();
            for (GroupVersion group : chunk) {
                members.put(group, new ArrayList<>());
                asked.computeIfAbsent(group.groupId(), id -> new ArrayList<>()).add(group);
                args.add(group.groupId());
                args.add(group.version());
                args.add(group.version());
            }
            jdbc.sql(MEMBERS_AT_MANY.formatted(String.join(" OR ", Collections.nCopies(chunk.size(), MEMBERS_AT_ONE))))
                .params(args)
                .query(rs -> {
                    long joined = rs.getLong(3);
                    long left = rs.getLong(4);
                    boolean stayed = rs.wasNull();
                    for (GroupVersion group : asked.get(rs.getString(1))) {
                        if (joined <= group.version() && (stayed || left > group.version())) {
                            members.get(group).add(rs.getString(2));
                        }
                    }
                });
        }
        return members;
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

    /** A message to store, with the members version it was expanded to (0 for a direct message). */
    record NewMessage(ConversationRecord.MessagePosted message, String content, long membersVersion) {

        NewMessage(ConversationRecord.MessagePosted message, long membersVersion) {
            this(message, message.content().toString(), membersVersion);
        }
    }

    /** A group at one members version. */
    record GroupVersion(String groupId, long version) {
    }
}
