package dev.courier.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import dev.courier.common.ConversationId;
import dev.courier.common.Json;
import dev.courier.common.MessageContent;

import static dev.courier.store.SqlLists.chunks;
import static dev.courier.store.SqlLists.placeholders;
import static dev.courier.store.SqlLists.tuples;

/**
 * Each user's state of each conversation they are or were part of ({@code conversation_states}), and the questions
 * of a conversation's stored messages that the states are made of. Only the inbox writer writes the states, each
 * user's from the one partition that owns the user's inbox; every other reader asks here.
 */
public class ConversationRepository {

    /**
     * The columns a {@link State} is read from ({@link #state(ResultSet, int)}), of {@code conversation_states s} and
     * the last message {@code m} joined by {@link #STATE_FROM}.
     */
    public static final String STATE_COLUMNS = """
            s.user_id, s.conversation_id, s.last_conv_seq, s.last_message_id, s.last_seq, s.read_seq, s.unread,
            s.peer_read_seq, s.muted, s.version,
            m.message_id, m.conv_seq, m.sender_id, m.kind, m.content, m.sent_at, m.recalled_at, m.edited_at,
            m.reply_to""";

    /** The tables of {@link #STATE_COLUMNS}. */
    public static final String STATE_FROM = """
             FROM conversation_states s LEFT JOIN messages m ON m.message_id = s.last_message_id
            """;

    private static final String STATES_OF = "SELECT " + STATE_COLUMNS + STATE_FROM + " WHERE %s";

    /** The condition on {@code conversation_states s} of one (user, conversation) pair, its two parameters in order. */
    public static final String ONE_STATE = "(s.user_id = ? AND s.conversation_id = ?)";

    /**
     * The columns of a state as the inbox writer reads it (without its last message), of {@code conversation_states s};
     * {@link #writerState} reads them. The inbox writer also reads them beside its other reads in one statement.
     */
    public static final String WRITER_COLUMNS = """
            s.user_id, s.conversation_id, s.last_conv_seq, s.last_message_id, s.last_seq, s.read_seq, s.unread,
            s.peer_read_seq, s.muted, s.version""";

    private static final String WRITER_STATES_OF = "SELECT " + WRITER_COLUMNS + " FROM conversation_states s WHERE %s";

    private static final String WRITER_STATES_OF_CONVERSATION = "SELECT " + WRITER_COLUMNS
            + " FROM conversation_states s WHERE s.conversation_id = ? AND s.user_id IN (%s)";

    /** From this many keys of one conversation on, they are read by the conversation and a list of users. */
    public static final int MANY_MEMBERS = 16;

    private static final String STATE =
            "SELECT " + STATE_COLUMNS + STATE_FROM + " WHERE s.user_id = :userId AND s.conversation_id = :conversation";

    private static final String CHANGED_AFTER = "SELECT " + STATE_COLUMNS + STATE_FROM
            + " WHERE s.user_id = :userId AND s.version > :after AND s.version <= :upTo ORDER BY s.version LIMIT :limit";

    private static final String NEWEST = "SELECT " + STATE_COLUMNS + STATE_FROM
            + " WHERE s.user_id = :userId AND s.last_seq < :before ORDER BY s.last_seq DESC LIMIT :limit";

    private static final String UPSERT = """
            INSERT INTO conversation_states (user_id, conversation_id, last_conv_seq, last_message_id, last_seq,
                                             read_seq, unread, peer_read_seq, muted, version)
            VALUES %s
            ON DUPLICATE KEY UPDATE last_conv_seq = GREATEST(last_conv_seq, VALUES(last_conv_seq)), last_message_id = VALUES(last_message_id),
                last_seq = VALUES(last_seq), read_seq = VALUES(read_seq), unread = VALUES(unread),
                peer_read_seq = VALUES(peer_read_seq), muted = VALUES(muted), version = VALUES(version)
            """;

    /**
     * The messages of a conversation after a user's read position that count as unread for them: messages people send
     * (not lifecycle entries or system messages), not by the user, and visible to them (in a group: stored with a
     * members version at which the user was a member).
     */
    private static final String UNREAD_DIRECT = """
            SELECT COUNT(*) FROM messages m
            WHERE m.conversation_id = :conversation AND m.conv_seq > :after AND m.conv_seq <= :upTo
              AND m.sender_id <> :userId AND m.kind IN (:kinds) AND m.recalled_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = :userId AND h.message_id = m.message_id)
            """;

    private static final String UNREAD_GROUP = UNREAD_DIRECT + """
              AND EXISTS (SELECT 1 FROM group_members gm
                          WHERE gm.group_id = :groupId AND gm.user_id = :userId
                            AND gm.joined_version <= m.members_version
                            AND (gm.left_version IS NULL OR gm.left_version > m.members_version))
            """;

    private static final String READ_POSITIONS = """
            SELECT user_id, read_seq FROM conversation_states WHERE conversation_id = :conversation
              AND user_id IN (:userIds)
            """;

    private final JdbcClient jdbc;

    public ConversationRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The newest entry of a conversation that is not a lifecycle entry, as the state shows it. */
    public record LastMessage(
            String messageId,
            long convSeq,
            String from,
            String kind,
            JsonNode content,
            Instant sentAt,
            @Nullable Instant recalledAt,
            @Nullable Instant editedAt,
            @Nullable String replyTo) {}

    /**
     * A user's state of one conversation (PROTOCOL.md, "Conversation state").
     *
     * @param lastSeq the inbox seq of the newest entry: the order of the chat list
     * @param lastMessage the newest entry that is not a lifecycle entry, or null when there is none
     */
    public record State(
            String userId,
            String conversation,
            long lastConvSeq,
            @Nullable String lastMessageId,
            long lastSeq,
            long readSeq,
            int unread,
            long peerReadSeq,
            boolean muted,
            long version,
            @Nullable LastMessage lastMessage) {

        /** The state a user's first entry of a conversation starts from. */
        public static State fresh(String userId, String conversation) {
            return new State(userId, conversation, 0, null, 0, 0, 0, 0, false, 0, null);
        }

        public boolean direct() {
            return !conversation.startsWith("g:");
        }
    }

    /** A user and one of their conversations. */
    public record Key(String userId, String conversation) {}

    private static final RowMapper<State> STATE_ROW = (rs, row) -> state(rs, 0);

    private static final RowMapper<State> WRITER_ROW = (rs, row) -> writerState(rs, 1);

    /** The state of {@link #WRITER_COLUMNS} in the row's columns from {@code first} on. */
    public static State writerState(ResultSet rs, int first) throws SQLException {
        return state(rs, first, null);
    }

    /** The state in the ten columns of {@link #WRITER_COLUMNS} from {@code first} on, with this last message. */
    private static State state(ResultSet rs, int first, @Nullable LastMessage last) throws SQLException {
        return new State(
                rs.getString(first),
                rs.getString(first + 1),
                rs.getLong(first + 2),
                rs.getString(first + 3),
                rs.getLong(first + 4),
                rs.getLong(first + 5),
                rs.getInt(first + 6),
                rs.getLong(first + 7),
                rs.getBoolean(first + 8),
                rs.getLong(first + 9),
                last);
    }

    /**
     * The state in the columns of {@link #STATE_COLUMNS}, read from the column after {@code offset} on (0 when they are
     * the first).
     */
    public static State state(ResultSet rs, int offset) throws SQLException {
        LastMessage last = null;
        String lastId = rs.getString(offset + 11);
        if (lastId != null) {
            last = new LastMessage(
                    lastId,
                    rs.getLong(offset + 12),
                    rs.getString(offset + 13),
                    rs.getString(offset + 14),
                    Json.MAPPER.readTree(rs.getString(offset + 15)),
                    Instant.ofEpochMilli(rs.getLong(offset + 16)),
                    instant(rs, offset + 17),
                    instant(rs, offset + 18),
                    rs.getString(offset + 19));
        }
        return state(rs, offset + 1, last);
    }

    private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    public Optional<State> state(String userId, String conversation) {
        return jdbc.sql(STATE)
                .param("userId", userId)
                .param("conversation", conversation)
                .query(STATE_ROW)
                .optional();
    }

    /**
     * The states of these (user, conversation) pairs that exist, as the inbox writer needs them: without the last
     * message's view (no join with {@code messages}, no content parsed: a group batch reads thousands of states). The
     * members of one conversation are read by its id and their ids, the scattered pairs by their keys.
     */
    public Map<Key, State> statesToWrite(Collection<Key> keys) {
        Map<String, List<String>> byConversation = new HashMap<>();
        for (Key key : keys) {
            byConversation
                    .computeIfAbsent(key.conversation(), c -> new ArrayList<>())
                    .add(key.userId());
        }
        Map<Key, State> found = new HashMap<>();
        List<Key> scattered = new ArrayList<>();
        byConversation.forEach((conversation, users) -> {
            if (users.size() < MANY_MEMBERS) {
                users.forEach(user -> scattered.add(new Key(user, conversation)));
                return;
            }
            for (List<String> chunk : chunks(users, SqlLists.ROWS_PER_STATEMENT)) {
                List<Object> args = new ArrayList<>(chunk.size() + 1);
                args.add(conversation);
                args.addAll(chunk);
                jdbc.sql(WRITER_STATES_OF_CONVERSATION.formatted(placeholders(chunk.size())))
                        .params(args)
                        .query(WRITER_ROW)
                        .list()
                        .forEach(state -> found.put(new Key(state.userId(), state.conversation()), state));
            }
        });
        byKeys(scattered, WRITER_STATES_OF, WRITER_ROW, found);
        return found;
    }

    /** The states of these (user, conversation) pairs that exist. */
    public Map<Key, State> states(Collection<Key> keys) {
        Map<Key, State> found = new HashMap<>();
        byKeys(List.copyOf(keys), STATES_OF, STATE_ROW, found);
        return found;
    }

    /** Reads the states of these pairs with {@code query} (its {@code %s} the pairs' condition) into {@code found}. */
    private void byKeys(List<Key> keys, String query, RowMapper<State> rows, Map<Key, State> found) {
        for (List<Key> chunk : chunks(keys, SqlLists.ROWS_PER_STATEMENT)) {
            List<Object> args = new ArrayList<>(chunk.size() * 2);
            for (Key key : chunk) {
                args.add(key.userId());
                args.add(key.conversation());
            }
            jdbc.sql(query.formatted(String.join(" OR ", Collections.nCopies(chunk.size(), ONE_STATE))))
                    .params(args)
                    .query(rows)
                    .list()
                    .forEach(state -> found.put(new Key(state.userId(), state.conversation()), state));
        }
    }

    /** The user's states changed after version {@code after} up to {@code upTo}, in version order, at most limit. */
    public List<State> changedAfter(String userId, long after, long upTo, int limit) {
        return jdbc.sql(CHANGED_AFTER)
                .param("userId", userId)
                .param("after", after)
                .param("upTo", upTo)
                .param("limit", limit)
                .query(STATE_ROW)
                .list();
    }

    /** The user's states with the newest activity first, those older than {@code beforeSeq} (an inbox seq). */
    public List<State> newest(String userId, long beforeSeq, int limit) {
        return jdbc.sql(NEWEST)
                .param("userId", userId)
                .param("before", beforeSeq)
                .param("limit", limit)
                .query(STATE_ROW)
                .list();
    }

    /**
     * Writes these states whole (the inbox writer's, in the transaction of the entries they follow); {@code
     * lastConvSeq} never goes back, even if two writers ever raced (the writer skips the redelivery check of entries
     * numbered above it).
     */
    public void save(Collection<State> states) {
        for (List<State> chunk : chunks(List.copyOf(states), SqlLists.ROWS_PER_STATEMENT)) {
            List<Object> args = new ArrayList<>(chunk.size() * 10);
            for (State state : chunk) {
                args.add(state.userId());
                args.add(state.conversation());
                args.add(state.lastConvSeq());
                // typed, so that a null does not make the driver describe the statement's parameters
                args.add(new SqlParameterValue(Types.VARCHAR, state.lastMessageId()));
                args.add(state.lastSeq());
                args.add(state.readSeq());
                args.add(state.unread());
                args.add(state.peerReadSeq());
                args.add(state.muted());
                args.add(state.version());
            }
            jdbc.sql(UPSERT.formatted(tuples(chunk.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
                    .params(args)
                    .update();
        }
    }

    /**
     * How many messages of the conversation numbered in {@code (after, upTo]} count as unread for the user: counted
     * from the stored messages themselves, so the count is exact whatever the inbox's retention trimmed.
     */
    public int countUnread(String userId, String conversation, long after, long upTo) {
        if (upTo <= after) {
            return 0;
        }
        ConversationId id = new ConversationId(conversation);
        JdbcClient.StatementSpec query = jdbc.sql(id.isGroup() ? UNREAD_GROUP : UNREAD_DIRECT)
                .param("conversation", conversation)
                .param("after", after)
                .param("upTo", upTo)
                .param("userId", userId)
                .param("kinds", MessageContent.KINDS);
        if (id.isGroup()) {
            query = query.param("groupId", id.groupId());
        }
        return query.query(Integer.class).single();
    }

    /** The read position of each of these users in the conversation (users without a state are absent). */
    public Map<String, Long> readPositions(String conversation, Collection<String> userIds) {
        Map<String, Long> positions = new HashMap<>();
        if (userIds.isEmpty()) {
            return positions;
        }
        jdbc.sql(READ_POSITIONS)
                .param("conversation", conversation)
                .param("userIds", userIds)
                .query(rs -> {
                    positions.put(rs.getString(1), rs.getLong(2));
                });
        return positions;
    }
}
