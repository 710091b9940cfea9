package dev.courier.bridge.outbound;

import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Which bridge identities a stored message reached, and which systems it was already published to. */
@Repository
class OutboundRepository {

    private static final String STORED_VERSION = "SELECT members_version FROM messages WHERE message_id = :messageId";

    private static final String BRIDGE_MEMBERS_AT = """
            SELECT gm.user_id FROM group_members gm JOIN accounts a ON a.user_id = gm.user_id
            WHERE gm.group_id = :groupId AND gm.joined_version <= :version
              AND (gm.left_version IS NULL OR gm.left_version > :version) AND a.kind = 'bridge'
            ORDER BY gm.user_id
            """;

    private static final String BRIDGE_USERS = """
            SELECT user_id FROM accounts WHERE user_id IN (:userIds) AND kind = 'bridge' ORDER BY user_id
            """;

    private static final String EVER_HAD_BRIDGE_MEMBER = """
            SELECT COUNT(*) FROM group_members gm JOIN accounts a ON a.user_id = gm.user_id
            WHERE gm.group_id = :groupId AND a.kind = 'bridge'
            """;

    private static final String DELIVERED = """
            SELECT COUNT(*) FROM bridge_deliveries WHERE message_id = :messageId AND system_id = :system
            """;

    private static final String RECORD_DELIVERY = """
            INSERT INTO bridge_deliveries (message_id, system_id, published_at) VALUES (:messageId, :system, :now)
            """;

    private final JdbcClient jdbc;

    OutboundRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The members version the fanout-worker stored the message with; empty while it is not stored yet. */
    Optional<Long> storedVersion(String messageId) {
        return jdbc.sql(STORED_VERSION).param("messageId", messageId).query((rs, row) -> rs.getLong(1)).optional();
    }

    List<String> bridgeMembersAt(String groupId, long version) {
        return jdbc.sql(BRIDGE_MEMBERS_AT)
            .param("groupId", groupId)
            .param("version", version)
            .query(String.class)
            .list();
    }

    List<String> bridgeUsers(List<String> userIds) {
        return jdbc.sql(BRIDGE_USERS).param("userIds", userIds).query(String.class).list();
    }

    /** Whether any bridge identity was ever a member of the group: if not, no message of it is bridged. */
    boolean everHadBridgeMember(String groupId) {
        return jdbc.sql(EVER_HAD_BRIDGE_MEMBER).param("groupId", groupId).query(Long.class).single() > 0;
    }

    boolean delivered(String messageId, String system) {
        return jdbc.sql(DELIVERED).param("messageId", messageId).param("system", system).query(Long.class).single() > 0;
    }

    void recordDelivery(String messageId, String system, long now) {
        try {
            jdbc.sql(RECORD_DELIVERY).param("messageId", messageId).param("system", system).param("now", now).update();
        } catch (DuplicateKeyException e) {
            // another instance recorded it in the meantime
        }
    }
}
