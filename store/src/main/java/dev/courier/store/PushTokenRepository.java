package dev.courier.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.courier.store.SqlLists.chunks;

/**
 * The push token of each signed-in device that registered one (PROTOCOL.md, "Pushes to offline devices"): at most one
 * per device, replaced by a newer one, removed by the device, by its sign-out ({@link DeviceRepository#delete}) and
 * when a provider answers that the token is no longer valid.
 */
public class PushTokenRepository {

    /**
     * Only for a device that is signed in (a sign-out between the caller's check and this statement leaves no token
     * behind). {@code VALUES()} in the update: the one form both MySQL 8.4 and MariaDB 11 accept.
     */
    private static final String SAVE = """
            INSERT INTO device_push_tokens (user_id, device_id, provider, token, updated_at)
            SELECT user_id, device_id, :provider, :token, :now FROM devices WHERE user_id = :userId AND device_id = :deviceId
            ON DUPLICATE KEY UPDATE provider = VALUES(provider), token = VALUES(token), updated_at = VALUES(updated_at)
            """;

    private static final String DELETE = """
            DELETE FROM device_push_tokens WHERE user_id = :userId AND device_id = :deviceId
            """;

    private static final String DELETE_TOKEN = """
            DELETE FROM device_push_tokens WHERE user_id = :userId AND device_id = :deviceId AND token = :token
            """;

    private static final String TOKENS = """
            SELECT user_id, device_id, provider, token FROM device_push_tokens WHERE user_id IN (:userIds)
            ORDER BY user_id, device_id
            """;

    private static final String TOKEN = """
            SELECT user_id, device_id, provider, token FROM device_push_tokens
            WHERE user_id = :userId AND device_id = :deviceId
            """;

    private final JdbcClient jdbc;

    public PushTokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A device's push token. */
    public record PushToken(String userId, String deviceId, String provider, String token) {}

    /** Sets the device's token, replacing the one it had; nothing when the device is not signed in. */
    public void save(String userId, String deviceId, String provider, String token, long now) {
        jdbc.sql(SAVE)
                .param("userId", userId)
                .param("deviceId", deviceId)
                .param("provider", provider)
                .param("token", token)
                .param("now", now)
                .update();
    }

    /** Removes the device's token, if it has one. */
    public void delete(String userId, String deviceId) {
        jdbc.sql(DELETE).param("userId", userId).param("deviceId", deviceId).update();
    }

    /**
     * Removes the device's token if it is still {@code token} (a provider refused it): a token the device registered
     * since stays.
     *
     * @return whether a token was removed
     */
    public boolean deleteIfStill(String userId, String deviceId, String token) {
        return jdbc.sql(DELETE_TOKEN)
                        .param("userId", userId)
                        .param("deviceId", deviceId)
                        .param("token", token)
                        .update()
                > 0;
    }

    /** The push tokens of each of these users (users without any are absent), by device id. */
    public Map<String, List<PushToken>> tokens(Collection<String> userIds) {
        Map<String, List<PushToken>> tokens = new LinkedHashMap<>();
        for (List<String> chunk : chunks(List.copyOf(userIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(TOKENS)
                    .param("userIds", chunk)
                    .query((rs, n) -> new PushToken(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .list()
                    .forEach(token -> tokens.computeIfAbsent(token.userId(), user -> new ArrayList<>())
                            .add(token));
        }
        return tokens;
    }

    /** One device's token, if it has one. */
    public Optional<PushToken> token(String userId, String deviceId) {
        return jdbc.sql(TOKEN)
                .param("userId", userId)
                .param("deviceId", deviceId)
                .query((rs, n) -> new PushToken(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .optional();
    }
}
