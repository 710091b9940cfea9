package dev.courier.store;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Who blocked whom. Only the expansion stage writes it, in the order of the direct conversation's log, so a block
 * takes effect at its point there; the gateway reads it to refuse a send early and to list a user's blocks.
 */
public class BlockRepository {

    private static final String BLOCK = """
            INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (:blocker, :blocked, :now)
            ON DUPLICATE KEY UPDATE blocker_id = blocker_id
            """;

    private static final String UNBLOCK = "DELETE FROM blocks WHERE blocker_id = :blocker AND blocked_id = :blocked";

    private static final String BLOCKED_BY =
            "SELECT blocked_id FROM blocks WHERE blocker_id = :blocker ORDER BY blocked_id";

    private final JdbcClient jdbc;

    public BlockRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One user blocking another. */
    public record Block(String blocker, String blocked) {}

    public void block(String blocker, String blocked, long now) {
        jdbc.sql(BLOCK)
                .param("blocker", blocker)
                .param("blocked", blocked)
                .param("now", now)
                .update();
    }

    public void unblock(String blocker, String blocked) {
        jdbc.sql(UNBLOCK).param("blocker", blocker).param("blocked", blocked).update();
    }

    /** The users the user blocked, in id order. */
    public List<String> blockedBy(String blocker) {
        return jdbc.sql(BLOCKED_BY)
                .param("blocker", blocker)
                .query(String.class)
                .list();
    }
}
