package dev.courier.gateway.account;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Accounts and devices. */
@Repository
public class AccountRepository {

    private static final String INSERT_ACCOUNT = """
            INSERT INTO accounts (user_id, display_name, password_hash, kind, created_at)
            VALUES (:userId, :displayName, :passwordHash, 'user', :now)
            """;

    private static final String PASSWORD_HASH = """
            SELECT password_hash FROM accounts WHERE user_id = :userId AND kind = 'user'
            """;

    private static final String TOUCH_DEVICE = """
            INSERT INTO devices (user_id, device_id, created_at, last_login_at) VALUES (:userId, :deviceId, :now, :now)
            ON DUPLICATE KEY UPDATE last_login_at = :now
            """;

    private static final String DELETE_DEVICE = "DELETE FROM devices WHERE user_id = :userId AND device_id = :deviceId";

    private static final String EXISTING = """
            SELECT user_id FROM accounts WHERE user_id IN (:userIds)
            """;

    private final JdbcClient jdbc;

    AccountRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the user id is taken */
    void create(String userId, String displayName, String passwordHash, long now) {
        jdbc.sql(INSERT_ACCOUNT)
            .param("userId", userId)
            .param("displayName", displayName)
            .param("passwordHash", passwordHash)
            .param("now", now)
            .update();
    }

    Optional<String> passwordHash(String userId) {
        return jdbc.sql(PASSWORD_HASH).param("userId", userId).query(String.class).optional();
    }

    void touchDevice(String userId, String deviceId, long now) {
        jdbc.sql(TOUCH_DEVICE).param("userId", userId).param("deviceId", deviceId).param("now", now).update();
    }

    void deleteDevice(String userId, String deviceId) {
        jdbc.sql(DELETE_DEVICE).param("userId", userId).param("deviceId", deviceId).update();
    }

    public boolean exists(String userId) {
        return !existing(List.of(userId)).isEmpty();
    }

    /** Which of these user ids have an account. */
    public Set<String> existing(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return Set.of();
        }
        return new TreeSet<>(jdbc.sql(EXISTING).param("userIds", userIds).query(String.class).list());
    }
}
