package dev.courier.store;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.courier.store.SqlLists.chunks;
import static dev.courier.store.SqlLists.placeholders;

/**
 * Accounts: people (kind {@code user}, with a password) and bridge identities (kind {@code bridge}, without one). An
 * account is never deleted and its kind never changes, so callers may remember what they learned of either.
 */
public class AccountRepository {

    private static final String INSERT_PERSON = """
            INSERT INTO accounts (user_id, display_name, password_hash, kind, created_at)
            VALUES (:userId, :displayName, :passwordHash, 'user', :now)
            """;

    private static final String INSERT_IDENTITY = """
            INSERT INTO accounts (user_id, display_name, password_hash, kind, created_at)
            VALUES (:userId, :displayName, NULL, 'bridge', :now)
            """;

    private static final String PASSWORD_HASH = """
            SELECT password_hash FROM accounts WHERE user_id = :userId AND kind = 'user'
            """;

    private static final String KIND = "SELECT kind FROM accounts WHERE user_id = :userId";

    private static final String KINDS = "SELECT user_id, kind FROM accounts WHERE user_id IN (%s)";

    private static final String DISPLAY_NAMES =
            "SELECT user_id, display_name FROM accounts WHERE user_id IN (:userIds)";

    private static final String EXISTING = "SELECT user_id FROM accounts WHERE user_id IN (:userIds)";

    private final JdbcClient jdbc;

    public AccountRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the user id is taken */
    public void createPerson(String userId, String displayName, String passwordHash, long now) {
        jdbc.sql(INSERT_PERSON)
                .param("userId", userId)
                .param("displayName", displayName)
                .param("passwordHash", passwordHash)
                .param("now", now)
                .update();
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the user id is taken */
    public void createBridgeIdentity(String userId, String displayName, long now) {
        jdbc.sql(INSERT_IDENTITY)
                .param("userId", userId)
                .param("displayName", displayName)
                .param("now", now)
                .update();
    }

    /** The password hash of a person; empty for an unknown user or a bridge identity (which cannot log in). */
    public Optional<String> passwordHash(String userId) {
        return jdbc.sql(PASSWORD_HASH)
                .param("userId", userId)
                .query(String.class)
                .optional();
    }

    /** {@code user} or {@code bridge}; empty when there is no such account. */
    public Optional<String> kind(String userId) {
        return jdbc.sql(KIND).param("userId", userId).query(String.class).optional();
    }

    /** Whether each of these users that has an account is a bridge identity. */
    public Map<String, Boolean> bridgeIdentities(Collection<String> userIds) {
        Map<String, Boolean> kinds = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(userIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(KINDS.formatted(placeholders(chunk.size()))).params(chunk).query(rs -> {
                kinds.put(rs.getString(1), "bridge".equals(rs.getString(2)));
            });
        }
        return kinds;
    }

    public boolean exists(String userId) {
        return kind(userId).isPresent();
    }

    /** Which of these user ids have an account. */
    public Set<String> existing(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return Set.of();
        }
        return new TreeSet<>(
                jdbc.sql(EXISTING).param("userIds", userIds).query(String.class).list());
    }

    /** The display name of each of these users that has an account. */
    public Map<String, String> displayNames(Collection<String> userIds) {
        Map<String, String> names = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(userIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(DISPLAY_NAMES).param("userIds", chunk).query(rs -> {
                names.put(rs.getString(1), rs.getString(2));
            });
        }
        return names;
    }
}
