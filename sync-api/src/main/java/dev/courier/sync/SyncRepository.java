package dev.courier.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.courier.common.Json;

/** The reads of a sync (its device acknowledgement is written by {@link DeviceAcknowledgements}). */
@Repository
class SyncRepository {

    private static final String EPOCH = "SELECT epoch FROM courier_meta WHERE id = 1";

    private static final String USER_STATE = """
            SELECT a.display_name, a.account_version, a.contacts_version,
                   COALESCE(h.head_seq, 0), COALESCE(h.trimmed_seq, 0), COALESCE(h.conversations_version, 0),
                   COALESCE(h.groups_version, 0)
            FROM accounts a LEFT JOIN inbox_heads h ON h.user_id = a.user_id
            WHERE a.user_id = :userId
            """;

    private static final String CONTACTS = """
            SELECT contact_id, alias, deleted, version FROM contacts
            WHERE owner_id = :userId AND version > :after AND version <= :upTo
            ORDER BY version
            """;

    private static final String GROUPS_AFTER = """
            SELECT group_id, has_left, dissolved FROM user_groups
            WHERE user_id = :userId AND version > :after AND version <= :upTo
            ORDER BY version
            """;

    private static final String MESSAGES_AFTER = """
            SELECT i.seq, m.message_id, m.client_msg_id, m.conversation_id, m.sender_id, m.kind, m.content, m.sent_at,
                   m.conv_seq, m.reply_to, m.recalled_at, m.edited_at
            FROM inbox i JOIN messages m ON m.message_id = i.message_id
            WHERE i.user_id = :userId AND i.seq > :after
            ORDER BY i.seq
            LIMIT :limit
            """;

    private static final String MESSAGES_LATEST = """
            SELECT i.seq, m.message_id, m.client_msg_id, m.conversation_id, m.sender_id, m.kind, m.content, m.sent_at,
                   m.conv_seq, m.reply_to, m.recalled_at, m.edited_at
            FROM inbox i JOIN messages m ON m.message_id = i.message_id
            WHERE i.user_id = :userId AND i.seq <= :upTo
              AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = i.user_id AND h.message_id = i.message_id)
            ORDER BY i.seq DESC
            LIMIT :limit
            """;

    private static final RowMapper<SyncResponse.Message> MESSAGE = (rs, row) -> {
        long convSeq = rs.getLong(9);
        Long numbered = rs.wasNull() ? null : convSeq;
        long recalledAt = rs.getLong(11);
        boolean recalled = !rs.wasNull();
        long editedAt = rs.getLong(12);
        Instant edited = rs.wasNull() ? null : Instant.ofEpochMilli(editedAt);
        return new SyncResponse.Message(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                numbered,
                rs.getString(5),
                rs.getString(6),
                // a recalled message shows no content, wherever it is read
                recalled ? null : Json.MAPPER.readTree(rs.getString(7)),
                Instant.ofEpochMilli(rs.getLong(8)),
                rs.getString(10),
                edited,
                recalled ? Boolean.TRUE : null);
    };

    private final JdbcClient jdbc;

    SyncRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long epoch() {
        return jdbc.sql(EPOCH).query(Long.class).single();
    }

    Optional<UserState> userState(String userId) {
        return jdbc.sql(USER_STATE)
                .param("userId", userId)
                .query((rs, row) -> new UserState(
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7)))
                .optional();
    }

    List<SyncResponse.Contact> contacts(String userId, long after, long upTo) {
        return jdbc.sql(CONTACTS)
                .param("userId", userId)
                .param("after", after)
                .param("upTo", upTo)
                .query((rs, row) ->
                        new SyncResponse.Contact(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4)))
                .list();
    }

    /** A group of the user's groups data type that changed: the user may have left it, or it was dissolved. */
    record ChangedGroup(String groupId, boolean left, boolean dissolved) {}

    /** The user's groups whose object changed in {@code (after, upTo]} of their groups version, in version order. */
    List<ChangedGroup> groupsAfter(String userId, long after, long upTo) {
        return jdbc.sql(GROUPS_AFTER)
                .param("userId", userId)
                .param("after", after)
                .param("upTo", upTo)
                .query((rs, row) -> new ChangedGroup(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3)))
                .list();
    }

    /** Up to {@code limit} inbox entries after {@code after}, in seq order. */
    List<SyncResponse.Message> messagesAfter(String userId, long after, int limit) {
        return jdbc.sql(MESSAGES_AFTER)
                .param("userId", userId)
                .param("after", after)
                .param("limit", limit)
                .query(MESSAGE)
                .list();
    }

    /** The {@code limit} most recent inbox entries up to {@code upTo}, in seq order. */
    List<SyncResponse.Message> latestMessages(String userId, long upTo, int limit) {
        List<SyncResponse.Message> newestFirst = new ArrayList<>(jdbc.sql(MESSAGES_LATEST)
                .param("userId", userId)
                .param("upTo", upTo)
                .param("limit", limit)
                .query(MESSAGE)
                .list());
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** A user's versions: account, contacts, the inbox head and how far retention trimmed it, conversations, groups. */
    record UserState(
            @Nullable String displayName,
            long accountVersion,
            long contactsVersion,
            long headSeq,
            long trimmedSeq,
            long conversationsVersion,
            long groupsVersion) {}
}
