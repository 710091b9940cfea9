package dev.courier.sync;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.courier.common.Json;

/** The reads of a sync: one user's account, contacts and inbox after given versions. */
@Repository
class SyncRepository {

    private static final String EPOCH = "SELECT epoch FROM courier_meta WHERE id = 1";

    private static final String ACCOUNT = """
            SELECT user_id, display_name, account_version, contacts_version FROM accounts WHERE user_id = :userId
            """;

    private static final String CONTACTS = """
            SELECT contact_id, alias, deleted, version FROM contacts
            WHERE owner_id = :userId AND version > :after AND version <= :upTo
            ORDER BY version
            """;

    private static final String MESSAGES = """
            SELECT i.seq, m.message_id, m.client_msg_id, m.conversation_id, m.sender_id, m.kind, m.content, m.sent_at
            FROM inbox i JOIN messages m ON m.message_id = i.message_id
            WHERE i.user_id = :userId AND i.seq > :after
            ORDER BY i.seq
            LIMIT :limit
            """;

    private final JdbcClient jdbc;

    SyncRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long epoch() {
        return jdbc.sql(EPOCH).query(Long.class).single();
    }

    Optional<Account> account(String userId) {
        return jdbc.sql(ACCOUNT)
            .param("userId", userId)
            .query((rs, row) -> new Account(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
            .optional();
    }

    List<SyncResponse.Contact> contacts(String userId, long after, long upTo) {
        return jdbc.sql(CONTACTS)
            .param("userId", userId)
            .param("after", after)
            .param("upTo", upTo)
            .query((rs, row) -> new SyncResponse.Contact(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                    rs.getLong(4)))
            .list();
    }

    List<SyncResponse.Message> messages(String userId, long after, int limit) {
        return jdbc.sql(MESSAGES)
            .param("userId", userId)
            .param("after", after)
            .param("limit", limit)
            .query((rs, row) -> new SyncResponse.Message(rs.getLong(1), rs.getString(2), rs.getString(3),
                    rs.getString(4), rs.getString(5), rs.getString(6), Json.MAPPER.readTree(rs.getString(7)),
                    Instant.ofEpochMilli(rs.getLong(8))))
            .list();
    }

    record Account(String userId, @Nullable String displayName, long version, long contactsVersion) {
    }
}
