package dev.courier.store;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The devices a user signed in from, and what each acknowledged through the sync key it presented. A device exists
 * from its login to its sign-out.
 */
public class DeviceRepository {

    private static final String TOUCH = """
            INSERT INTO devices (user_id, device_id, created_at, last_login_at) VALUES (:userId, :deviceId, :now, :now)
            ON DUPLICATE KEY UPDATE last_login_at = :now
            """;

    private static final String DELETE = "DELETE FROM devices WHERE user_id = :userId AND device_id = :deviceId";

    private static final String DELETE_PUSH_TOKEN =
            "DELETE FROM device_push_tokens WHERE user_id = :userId AND device_id = :deviceId";

    private static final String KNOWN = """
            SELECT COUNT(*) FROM devices WHERE user_id = :userId AND device_id = :deviceId
            """;

    private static final String ACKNOWLEDGE = """
            UPDATE devices SET acked_seq = GREATEST(acked_seq, ?), last_sync_at = GREATEST(COALESCE(last_sync_at, 0), ?)
            WHERE user_id = ? AND device_id = ?
            """;

    private static final String LOWEST_ACKNOWLEDGED = """
            SELECT MIN(acked_seq) FROM devices
            WHERE user_id = :userId AND GREATEST(COALESCE(last_sync_at, 0), last_login_at) >= :activeSince
            """;

    private final JdbcClient jdbc;

    private final JdbcOperations operations;

    public DeviceRepository(JdbcClient jdbc, JdbcOperations operations) {
        this.jdbc = jdbc;
        this.operations = operations;
    }

    /** Records a login of the device (creating it on the first). */
    public void touch(String userId, String deviceId, long now) {
        jdbc.sql(TOUCH)
                .param("userId", userId)
                .param("deviceId", deviceId)
                .param("now", now)
                .update();
    }

    /** Signs the device out; its push token goes with it (first, so a failure between leaves no token unowned). */
    public void delete(String userId, String deviceId) {
        jdbc.sql(DELETE_PUSH_TOKEN)
                .param("userId", userId)
                .param("deviceId", deviceId)
                .update();
        jdbc.sql(DELETE).param("userId", userId).param("deviceId", deviceId).update();
    }

    /** Whether the device is signed in. */
    public boolean isKnown(String userId, String deviceId) {
        return jdbc.sql(KNOWN)
                        .param("userId", userId)
                        .param("deviceId", deviceId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** A device's position: it presented a key covering inbox {@code seq} at {@code at}. */
    public record Acknowledgement(String userId, String deviceId, long seq, long at) {}

    /** Stores positions; a position never moves back. */
    public void acknowledge(List<Acknowledgement> acknowledgements) {
        operations.batchUpdate(ACKNOWLEDGE, acknowledgements, 500, (statement, ack) -> {
            statement.setLong(1, ack.seq());
            statement.setLong(2, ack.at());
            statement.setString(3, ack.userId());
            statement.setString(4, ack.deviceId());
        });
    }

    /**
     * The lowest inbox position acknowledged by the user's devices active since {@code activeSince} (a login or a
     * sync); empty when no device was.
     */
    public Optional<Long> lowestAcknowledged(String userId, long activeSince) {
        // MIN of nothing is NULL: optional() reads it as empty
        return jdbc.sql(LOWEST_ACKNOWLEDGED)
                .param("userId", userId)
                .param("activeSince", activeSince)
                .query(Long.class)
                .optional();
    }
}
