package dev.courier.sync;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.courier.common.Json;
import dev.courier.store.ConversationRepository;

/** The reads of a sync (its device acknowledgement is written by {@link DeviceAcknowledgements}). */
@Repository
class SyncRepository {

    private static final String EPOCH = "SELECT epoch FROM courier_meta WHERE id = 1";

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

    private static final String MESSAGE_COLUMNS = """
            i.seq, m.message_id, m.client_msg_id, m.conversation_id, m.sender_id, m.kind, m.content, m.sent_at,
            m.conv_seq, m.reply_to, m.recalled_at, m.edited_at""";

    private static final String MESSAGES_AFTER = "SELECT " + MESSAGE_COLUMNS
            + " FROM inbox i JOIN messages m ON m.message_id = i.message_id"
            + " WHERE i.user_id = :userId AND i.seq > :after ORDER BY i.seq LIMIT :limit";

    private static final String MESSAGES_LATEST = "SELECT " + MESSAGE_COLUMNS
            + " FROM inbox i JOIN messages m ON m.message_id = i.message_id"
            + " WHERE i.user_id = :userId AND i.seq <= :upTo AND NOT EXISTS"
            + " (SELECT 1 FROM message_hides h WHERE h.user_id = i.user_id AND h.message_id = i.message_id)"
            + " ORDER BY i.seq DESC LIMIT :limit";

    /** The columns of a user's state ({@link UserState}): the account and its inbox head. */
    private static final String USER_COLUMNS = """
            a.display_name, a.account_version, a.contacts_version, COALESCE(h.head_seq, 0), COALESCE(h.trimmed_seq, 0),
            COALESCE(h.conversations_version, 0), COALESCE(h.groups_version, 0)""";

    private static final String USER_STATE = "SELECT " + USER_COLUMNS
            + " FROM accounts a LEFT JOIN inbox_heads h ON h.user_id = a.user_id WHERE a.user_id = :userId";

    /** Nulls in the place of columns of another part of {@link #INCREMENTAL}. */
    private static String nulls(int count) {
        return String.join(", ", Collections.nCopies(count, "NULL"));
    }

    private static final int USER_WIDTH = 7;

    private static final int STATE_WIDTH = 19;

    private static final int MESSAGE_WIDTH = 12;

    /**
     * What an incremental sync reads, in one statement, so that it is one snapshot without a transaction (in
     * autocommit a statement reads one snapshot): the user's state, the conversation states changed after a version
     * (up to the head's, as a transactional read would), the inbox entries after a seq. The first column says which
     * part a row is of; each part has columns of its own, NULL in the rows of the others, so no column mixes types.
     * One round trip instead of six (a transaction's begin, three reads, commit, end): on this machine the database's
     * CPU per statement is mostly the round trip's.
     */
    private static final String INCREMENTAL = "(SELECT 0, " + USER_COLUMNS + ", " + nulls(STATE_WIDTH + MESSAGE_WIDTH)
            + " FROM accounts a LEFT JOIN inbox_heads h ON h.user_id = a.user_id WHERE a.user_id = :userId)"
            + " UNION ALL (SELECT 1, " + nulls(USER_WIDTH) + ", " + ConversationRepository.STATE_COLUMNS + ", "
            + nulls(MESSAGE_WIDTH) + ConversationRepository.STATE_FROM
            + " WHERE s.user_id = :userId AND s.version > :conversationsAfter"
            + " AND s.version <= (SELECT hv.conversations_version FROM inbox_heads hv WHERE hv.user_id = :userId)"
            + " ORDER BY s.version LIMIT :conversationsLimit)"
            + " UNION ALL (SELECT 2, " + nulls(USER_WIDTH + STATE_WIDTH) + ", " + MESSAGE_COLUMNS
            + " FROM inbox i JOIN messages m ON m.message_id = i.message_id"
            + " WHERE i.user_id = :userId AND i.seq > :messagesAfter ORDER BY i.seq LIMIT :messagesLimit)";

    private static final RowMapper<SyncResponse.Message> MESSAGE = (rs, row) -> message(rs, 0);

    /** A message in the columns of {@link #MESSAGE_COLUMNS}, from the column after {@code offset} on. */
    private static SyncResponse.Message message(ResultSet rs, int offset) throws SQLException {
        long convSeq = rs.getLong(offset + 9);
        Long numbered = rs.wasNull() ? null : convSeq;
        long recalledAt = rs.getLong(offset + 11);
        boolean recalled = !rs.wasNull();
        long editedAt = rs.getLong(offset + 12);
        Instant edited = rs.wasNull() ? null : Instant.ofEpochMilli(editedAt);
        return new SyncResponse.Message(
                rs.getLong(offset + 1),
                rs.getString(offset + 2),
                rs.getString(offset + 3),
                rs.getString(offset + 4),
                numbered,
                rs.getString(offset + 5),
                rs.getString(offset + 6),
                // a recalled message shows no content, wherever it is read
                recalled ? null : Json.MAPPER.readTree(rs.getString(offset + 7)),
                Instant.ofEpochMilli(rs.getLong(offset + 8)),
                rs.getString(offset + 10),
                edited,
                recalled ? Boolean.TRUE : null);
    }

    private static UserState userState(ResultSet rs, int offset) throws SQLException {
        return new UserState(
                rs.getString(offset + 1),
                rs.getLong(offset + 2),
                rs.getLong(offset + 3),
                rs.getLong(offset + 4),
                rs.getLong(offset + 5),
                rs.getLong(offset + 6),
                rs.getLong(offset + 7));
    }

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
                .query((rs, row) -> userState(rs, 0))
                .optional();
    }

    /**
     * What an incremental sync after a key reads, in one snapshot: the user's state, the conversation states changed
     * after {@code conversationsAfter} up to the user's conversations version (in version order, at most
     * {@code conversationsLimit}), and the inbox entries after {@code messagesAfter} (in seq order, at most
     * {@code messagesLimit}). Empty when there is no such user.
     */
    Optional<Incremental> incremental(
            String userId, long conversationsAfter, int conversationsLimit, long messagesAfter, int messagesLimit) {
        List<UserState> user = new ArrayList<>(1);
        List<ConversationRepository.State> states = new ArrayList<>();
        List<SyncResponse.Message> messages = new ArrayList<>();
        jdbc.sql(INCREMENTAL)
                .param("userId", userId)
                .param("conversationsAfter", conversationsAfter)
                .param("conversationsLimit", conversationsLimit)
                .param("messagesAfter", messagesAfter)
                .param("messagesLimit", messagesLimit)
                .query(rs -> {
                    switch (rs.getInt(1)) {
                        case 0 -> user.add(userState(rs, 1));
                        case 1 -> states.add(ConversationRepository.state(rs, 1 + USER_WIDTH));
                        default -> messages.add(message(rs, 1 + USER_WIDTH + STATE_WIDTH));
                    }
                });
        if (user.isEmpty()) {
            return Optional.empty();
        }
        // a union's parts come in no promised order, nor the rows within them
        states.sort(Comparator.comparingLong(ConversationRepository.State::version));
        messages.sort(Comparator.comparingLong(SyncResponse.Message::seq));
        return Optional.of(new Incremental(user.getFirst(), states, messages));
    }

    /** An incremental sync's reads ({@link #incremental}). */
    record Incremental(
            UserState user, List<ConversationRepository.State> states, List<SyncResponse.Message> messages) {}

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
