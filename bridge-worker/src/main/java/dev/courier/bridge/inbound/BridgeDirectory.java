package dev.courier.bridge.inbound;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * What inbound needs to know of Courier: bridge identities (created on first use as accounts of kind {@code bridge},
 * without a password, so they are ordinary users that can be added to groups), and whether targets exist. Positive
 * answers are cached: ids are never deleted, so a burst from few senders to few targets costs few queries.
 */
@Repository
class BridgeDirectory {

    private static final String KIND = "SELECT kind FROM accounts WHERE user_id = :userId";

    private static final String CREATE_IDENTITY = """
            INSERT INTO accounts (user_id, display_name, password_hash, kind, created_at)
            VALUES (:userId, :displayName, NULL, 'bridge', :now)
            """;

    private static final String GROUP_EXISTS = "SELECT COUNT(*) FROM chat_groups WHERE group_id = :groupId";

    private static final String IS_MEMBER = """
            SELECT COUNT(*) FROM group_members
            WHERE group_id = :groupId AND user_id = :userId AND left_version IS NULL
            """;

    private static final int CACHE_LIMIT = 100_000;

    private final JdbcClient jdbc;

    private final Clock clock;

    private final Set<String> identities = ConcurrentHashMap.newKeySet();

    private final Set<String> users = ConcurrentHashMap.newKeySet();

    private final Set<String> groups = ConcurrentHashMap.newKeySet();

    /** (group, identity) pairs known to be members or already asked to join. */
    private final Map<String, Boolean> memberships = new ConcurrentHashMap<>();

    BridgeDirectory(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Creates the identity if needed; false when the id belongs to a person's account. */
    boolean ensureIdentity(String identity, String system, String from) {
        if (identities.contains(identity)) {
            return true;
        }
        Optional<String> kind = kind(identity);
        if (kind.isEmpty()) {
            try {
                jdbc.sql(CREATE_IDENTITY)
                    .param("userId", identity)
                    .param("displayName", from + " (" + system + ")")
                    .param("now", clock.millis())
                    .update();
                kind = Optional.of("bridge");
            } catch (DuplicateKeyException e) {
                kind = kind(identity);
            }
        }
        boolean bridge = kind.filter("bridge"::equals).isPresent();
        if (bridge) {
            remember(identities, identity);
        }
        return bridge;
    }

    boolean userExists(String userId) {
        if (users.contains(userId)) {
            return true;
        }
        boolean exists = kind(userId).isPresent();
        if (exists) {
            remember(users, userId);
        }
        return exists;
    }

    boolean groupExists(String groupId) {
        if (groups.contains(groupId)) {
            return true;
        }
        boolean exists = jdbc.sql(GROUP_EXISTS).param("groupId", groupId).query(Long.class).single() > 0;
        if (exists) {
            remember(groups, groupId);
        }
        return exists;
    }

    /**
     * Whether the identity must still be asked to join the group: false when it is a member, or a join is already on
     * its way through the group's log (after which it is a member by the time its message is expanded).
     */
    boolean needsToJoin(String groupId, String identity) {
        String pair = groupId + " " + identity;
        if (memberships.containsKey(pair)) {
            return false;
        }
        boolean member = jdbc.sql(IS_MEMBER)
            .param("groupId", groupId)
            .param("userId", identity)
            .query(Long.class)
            .single() > 0;
        return !member;
    }

    void joining(String groupId, String identity) {
        if (memberships.size() > CACHE_LIMIT) {
            memberships.clear();
        }
        memberships.put(groupId + " " + identity, Boolean.TRUE);
    }

    private Optional<String> kind(String userId) {
        return jdbc.sql(KIND).param("userId", userId).query(String.class).optional();
    }

    private static void remember(Set<String> cache, String value) {
        if (cache.size() > CACHE_LIMIT) {
            cache.clear();
        }
        cache.add(value);
    }
}
