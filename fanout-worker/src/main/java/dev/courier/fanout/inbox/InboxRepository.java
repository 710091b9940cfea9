package dev.courier.fanout.inbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.stereotype.Repository;

import dev.courier.store.ConversationRepository;
import dev.courier.store.ConversationRepository.State;

import static dev.courier.store.SqlLists.chunks;
import static dev.courier.store.SqlLists.placeholders;
import static dev.courier.store.SqlLists.tuples;

/**
 * The inbox index: {@code (user, seq) -> message}. Rows are written with multi-row INSERTs, many users per statement.
 */
@Repository
class InboxRepository {

    /** Rows per INSERT statement: large enough to amortise a round trip, small enough for any packet limit. */
    static final int ROWS_PER_STATEMENT = 500;

    /**
     * The users' counters and, in the same round trip, which of them have a push token (rows with {@code token} 1):
     * the batch's push candidates are only for those.
     */
    private static final String HEADS_AND_TOKENS = """
            SELECT user_id, head_seq, conversations_version, unread_total, groups_version, 0 AS token FROM inbox_heads
            WHERE user_id IN (%1$s)
            UNION ALL
            SELECT DISTINCT user_id, 0, 0, 0, 0, 1 FROM device_push_tokens WHERE user_id IN (%1$s)
            """;

    /**
     * {@link #HEADS_AND_TOKENS} and the writer's states of (user, conversation) pairs in one statement, rows told
     * apart by the first column: 0 a head, 1 a user with a token, 2 a state. The heads' and tokens' rows fill the
     * state's columns: the counters where the state has numbers, {@code NULL} for its strings.
     */
    private static final String HEADS_TOKENS_AND_STATES = """
            SELECT 0, user_id, NULL, head_seq, NULL, conversations_version, unread_total, groups_version, 0, FALSE, 0
            FROM inbox_heads WHERE user_id IN (%1$s)
            UNION ALL
            SELECT DISTINCT 1, user_id, NULL, 0, NULL, 0, 0, 0, 0, FALSE, 0 FROM device_push_tokens
            WHERE user_id IN (%1$s)
            UNION ALL
            SELECT 2, %2$s FROM conversation_states s WHERE %3$s
            """;

    private static final String PRESENT_OF_MESSAGE =
            "SELECT user_id, message_id, seq FROM inbox WHERE message_id = ? AND user_id IN (%s)";

    private static final String PRESENT_PAIRS = "SELECT user_id, message_id, seq FROM inbox WHERE %s";

    private static final String ONE_PAIR = "(user_id = ? AND message_id = ?)";

    /** From this many users of one message on, they are looked up by the message and a list of users. */
    private static final int MANY_USERS = 16;

    private static final String INSERT_ROWS = "INSERT INTO inbox (user_id, seq, message_id, created_at) VALUES %s";

    private static final String UPSERT_HEADS = """
            INSERT INTO inbox_heads (user_id, head_seq, conversations_version, unread_total, groups_version) VALUES %s
            ON DUPLICATE KEY UPDATE head_seq = GREATEST(head_seq, VALUES(head_seq)),
                conversations_version = GREATEST(conversations_version, VALUES(conversations_version)),
                unread_total = VALUES(unread_total),
                groups_version = GREATEST(groups_version, VALUES(groups_version))
            """;

    private static final String UPSERT_USER_GROUPS = """
            INSERT INTO user_groups (user_id, group_id, version, has_left, dissolved) VALUES %s
            ON DUPLICATE KEY UPDATE version = VALUES(version), has_left = VALUES(has_left),
                dissolved = VALUES(dissolved)
            """;

    private final JdbcOperations jdbc;

    InboxRepository(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A user's counters: the highest inbox seq assigned so far, the newest conversations version, the sum of the
     * unread counts of their conversation states, the newest groups version.
     */
    record Head(long headSeq, long conversationsVersion, long unreadTotal, long groupsVersion) {

        static final Head NONE = new Head(0, 0, 0, 0);

        Head withSeq(long seq) {
            return new Head(seq, conversationsVersion, unreadTotal, groupsVersion);
        }

        Head withConversations(long version, long unread) {
            return new Head(headSeq, version, unread, groupsVersion);
        }

        Head withGroups(long version) {
            return new Head(headSeq, conversationsVersion, unreadTotal, version);
        }
    }

    /** A group of a user's groups data type, at the user's groups version of its last change. */
    record UserGroup(String userId, String groupId, long version, boolean left, boolean dissolved) {}

    /**
     * The counters of some users (users without an inbox are absent) and those of them with a push token.
     *
     * @param heads by user
     * @param withTokens the users with at least one push token
     */
    record HeadsAndTokens(Map<String, Head> heads, Set<String> withTokens) {}

    /** The counters of each of these users, and which of them have a push token, in one statement per 500 users. */
    HeadsAndTokens headsAndTokens(Collection<String> userIds) {
        Map<String, Head> heads = new HashMap<>();
        Set<String> withTokens = new HashSet<>();
        for (List<String> chunk : chunks(List.copyOf(userIds), ROWS_PER_STATEMENT)) {
            Object[] args = new Object[chunk.size() * 2];
            for (int i = 0; i < chunk.size(); i++) {
                args[i] = chunk.get(i);
                args[chunk.size() + i] = chunk.get(i);
            }
            jdbc.query(
                    HEADS_AND_TOKENS.formatted(placeholders(chunk.size())),
                    rs -> {
                        if (rs.getInt(6) == 1) {
                            withTokens.add(rs.getString(1));
                        } else {
                            heads.put(
                                    rs.getString(1),
                                    new Head(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                        }
                    },
                    args);
        }
        return new HeadsAndTokens(heads, withTokens);
    }

    /**
     * What a batch reads before it applies its records: {@link #headsAndTokens} and the writer's conversation states
     * of these pairs ({@link ConversationRepository#WRITER_COLUMNS}).
     */
    record Reads(Map<String, Head> heads, Set<String> withTokens, Map<ConversationRepository.Key, State> states) {}

    /**
     * The counters and tokens of these users and the states of these pairs in one statement, for a batch of direct
     * conversations (or groups with few of its users): at most {@value #ROWS_PER_STATEMENT} users and pairs.
     */
    Reads headsTokensAndStates(List<String> userIds, List<ConversationRepository.Key> keys) {
        if (userIds.size() > ROWS_PER_STATEMENT || keys.size() > ROWS_PER_STATEMENT || keys.isEmpty()) {
            throw new IllegalArgumentException(
                    "1 to " + ROWS_PER_STATEMENT + " pairs and users, not " + keys.size() + " and " + userIds.size());
        }
        Object[] args = new Object[userIds.size() * 2 + keys.size() * 2];
        int i = 0;
        for (int copy = 0; copy < 2; copy++) {
            for (String user : userIds) {
                args[i++] = user;
            }
        }
        for (ConversationRepository.Key key : keys) {
            args[i++] = key.userId();
            args[i++] = key.conversation();
        }
        Map<String, Head> heads = new HashMap<>();
        Set<String> withTokens = new HashSet<>();
        Map<ConversationRepository.Key, State> states = new HashMap<>();
        jdbc.query(
                HEADS_TOKENS_AND_STATES.formatted(
                        placeholders(userIds.size()),
                        ConversationRepository.WRITER_COLUMNS,
                        String.join(" OR ", Collections.nCopies(keys.size(), ConversationRepository.ONE_STATE))),
                rs -> {
                    switch (rs.getInt(1)) {
                        case 0 ->
                            heads.put(
                                    rs.getString(2),
                                    new Head(rs.getLong(4), rs.getLong(6), rs.getLong(7), rs.getLong(8)));
                        case 1 -> withTokens.add(rs.getString(2));
                        default -> {
                            State state = ConversationRepository.writerState(rs, 2);
                            states.put(new ConversationRepository.Key(state.userId(), state.conversation()), state);
                        }
                    }
                },
                args);
        return new Reads(heads, withTokens, states);
    }

    /**
     * Which of these (user, message) entries are in the inbox already, with their seq, keyed {@code "user message"}
     * (a redelivered batch). Each message's users are looked up by the message and their ids when there are many (a
     * group's), the few others pair by pair: a cross product of users and messages would probe the index far more
     * often than there are entries.
     */
    Map<String, Long> present(Map<String, ? extends Collection<String>> usersByMessage) {
        Map<String, Long> present = new HashMap<>();
        List<String[]> scattered = new ArrayList<>();
        usersByMessage.forEach((messageId, users) -> {
            if (users.size() < MANY_USERS) {
                users.forEach(user -> scattered.add(new String[] {user, messageId}));
                return;
            }
            for (List<String> chunk : chunks(List.copyOf(users), ROWS_PER_STATEMENT)) {
                List<Object> args = new ArrayList<>(chunk.size() + 1);
                args.add(messageId);
                args.addAll(chunk);
                jdbc.query(
                        PRESENT_OF_MESSAGE.formatted(placeholders(chunk.size())),
                        rs -> {
                            present.put(rs.getString(1) + " " + rs.getString(2), rs.getLong(3));
                        },
                        args.toArray());
            }
        });
        for (List<String[]> chunk : chunks(scattered, ROWS_PER_STATEMENT)) {
            List<Object> args = new ArrayList<>(chunk.size() * 2);
            for (String[] pair : chunk) {
                args.add(pair[0]);
                args.add(pair[1]);
            }
            jdbc.query(
                    PRESENT_PAIRS.formatted(String.join(" OR ", Collections.nCopies(chunk.size(), ONE_PAIR))),
                    rs -> {
                        present.put(rs.getString(1) + " " + rs.getString(2), rs.getLong(3));
                    },
                    args.toArray());
        }
        return present;
    }

    void insert(List<InboxCommitListener.Row> rows, long now) {
        for (List<InboxCommitListener.Row> chunk : chunks(rows, ROWS_PER_STATEMENT)) {
            Object[] args = new Object[chunk.size() * 4];
            int i = 0;
            for (InboxCommitListener.Row row : chunk) {
                args[i++] = row.userId();
                args[i++] = row.seq();
                args[i++] = row.messageId();
                args[i++] = now;
            }
            jdbc.update(INSERT_ROWS.formatted(tuples(chunk.size(), "(?, ?, ?, ?)")), args);
        }
    }

    /** Writes the counters of these users (a seq or a version never goes back). */
    void saveHeads(Map<String, Head> heads) {
        List<Map.Entry<String, Head>> entries = List.copyOf(heads.entrySet());
        for (List<Map.Entry<String, Head>> chunk : chunks(entries, ROWS_PER_STATEMENT)) {
            Object[] args = new Object[chunk.size() * 5];
            int i = 0;
            for (Map.Entry<String, Head> head : chunk) {
                args[i++] = head.getKey();
                args[i++] = head.getValue().headSeq();
                args[i++] = head.getValue().conversationsVersion();
                args[i++] = head.getValue().unreadTotal();
                args[i++] = head.getValue().groupsVersion();
            }
            jdbc.update(UPSERT_HEADS.formatted(tuples(chunk.size(), "(?, ?, ?, ?, ?)")), args);
        }
    }

    /** Writes these rows of users' groups data type. */
    void saveUserGroups(Collection<UserGroup> groups) {
        for (List<UserGroup> chunk : chunks(List.copyOf(groups), ROWS_PER_STATEMENT)) {
            Object[] args = new Object[chunk.size() * 5];
            int i = 0;
            for (UserGroup group : chunk) {
                args[i++] = group.userId();
                args[i++] = group.groupId();
                args[i++] = group.version();
                args[i++] = group.left();
                args[i++] = group.dissolved();
            }
            jdbc.update(UPSERT_USER_GROUPS.formatted(tuples(chunk.size(), "(?, ?, ?, ?, ?)")), args);
        }
    }
}
