package dev.courier.fanout.inbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.stereotype.Repository;

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

    private static final String HEADS = "SELECT user_id, head_seq FROM inbox_heads WHERE user_id IN (%s)";

    private static final String PRESENT = """
            SELECT user_id, message_id FROM inbox WHERE user_id IN (%s) AND message_id IN (%s)
            """;

    private static final String INSERT_ROWS = "INSERT INTO inbox (user_id, seq, message_id, created_at) VALUES %s";

    private static final String UPSERT_HEADS = """
            INSERT INTO inbox_heads (user_id, head_seq) VALUES %s
            ON DUPLICATE KEY UPDATE head_seq = GREATEST(head_seq, VALUES(head_seq))
            """;

    private final JdbcOperations jdbc;

    InboxRepository(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** The highest seq assigned so far to each of these users (users without an inbox are absent). */
    Map<String, Long> heads(Collection<String> userIds) {
        Map<String, Long> heads = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(userIds), ROWS_PER_STATEMENT)) {
            jdbc.query(
                    HEADS.formatted(placeholders(chunk.size())),
                    rs -> {
                        heads.put(rs.getString(1), rs.getLong(2));
                    },
                    chunk.toArray());
        }
        return heads;
    }

    /** Which {@code user + " " + messageId} pairs among these are in an inbox already. */
    Set<String> present(Collection<String> userIds, Collection<String> messageIds) {
        Set<String> present = new HashSet<>();
        List<String> messages = List.copyOf(messageIds);
        for (List<String> users : chunks(List.copyOf(userIds), ROWS_PER_STATEMENT)) {
            for (List<String> chunk : chunks(messages, ROWS_PER_STATEMENT)) {
                List<Object> args = new ArrayList<>(users);
                args.addAll(chunk);
                jdbc.query(
                        PRESENT.formatted(placeholders(users.size()), placeholders(chunk.size())),
                        rs -> {
                            present.add(rs.getString(1) + " " + rs.getString(2));
                        },
                        args.toArray());
            }
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

    void advanceHeads(Map<String, Long> heads) {
        List<Map.Entry<String, Long>> entries = List.copyOf(heads.entrySet());
        for (List<Map.Entry<String, Long>> chunk : chunks(entries, ROWS_PER_STATEMENT)) {
            Object[] args = new Object[chunk.size() * 2];
            int i = 0;
            for (Map.Entry<String, Long> head : chunk) {
                args[i++] = head.getKey();
                args[i++] = head.getValue();
            }
            jdbc.update(UPSERT_HEADS.formatted(tuples(chunk.size(), "(?, ?)")), args);
        }
    }
}
