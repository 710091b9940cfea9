package dev.courier.bridge.outbound;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Which messages were already published to which external systems. */
@Repository
class OutboundRepository {

    private static final String DELIVERED = """
            SELECT message_id, system_id FROM bridge_deliveries WHERE message_id IN (:messageIds)
            """;

    private static final String RECORD_DELIVERY = """
            INSERT INTO bridge_deliveries (message_id, system_id, published_at) VALUES (:messageId, :system, :now)
            """;

    private final JdbcClient jdbc;

    OutboundRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code messageId + " " + system} of each publication of these messages recorded so far. */
    Set<String> delivered(Collection<String> messageIds) {
        Set<String> delivered = new HashSet<>();
        jdbc.sql(DELIVERED).param("messageIds", Set.copyOf(messageIds)).query(rs -> {
            delivered.add(rs.getString(1) + " " + rs.getString(2));
        });
        return delivered;
    }

    void recordDelivery(String messageId, String system, long now) {
        try {
            jdbc.sql(RECORD_DELIVERY)
                    .param("messageId", messageId)
                    .param("system", system)
                    .param("now", now)
                    .update();
        } catch (DuplicateKeyException e) {
            // another instance recorded it in the meantime
        }
    }
}
