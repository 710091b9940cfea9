package dev.courier.gateway.account;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The account and contacts data types of the sync key: each change bumps the owner's per-user version and stamps the
 * changed row with it, in one transaction, so the next sync sees exactly the rows changed after its key.
 */
@Repository
class ContactRepository {

    private static final String RENAME = """
            UPDATE accounts SET display_name = :displayName, account_version = account_version + 1
            WHERE user_id = :userId
            """;

    private static final String ACCOUNT_VERSION = "SELECT account_version FROM accounts WHERE user_id = :userId";

    private static final String BUMP_CONTACTS = """
            UPDATE accounts SET contacts_version = contacts_version + 1 WHERE user_id = :userId
            """;

    private static final String CONTACTS_VERSION = "SELECT contacts_version FROM accounts WHERE user_id = :userId";

    private static final String UPSERT_CONTACT = """
            INSERT INTO contacts (owner_id, contact_id, alias, deleted, version)
            VALUES (:ownerId, :contactId, :alias, FALSE, :version)
            ON DUPLICATE KEY UPDATE alias = :alias, deleted = FALSE, version = :version
            """;

    private static final String IS_CONTACT = """
            SELECT COUNT(*) FROM contacts WHERE owner_id = :ownerId AND contact_id = :contactId AND NOT deleted
            """;

    private static final String DELETE_CONTACT = """
            UPDATE contacts SET deleted = TRUE, version = :version WHERE owner_id = :ownerId AND contact_id = :contactId
            """;

    private final JdbcClient jdbc;

    ContactRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return the new account version */
    @Transactional
    long rename(String userId, String displayName) {
        jdbc.sql(RENAME)
                .param("userId", userId)
                .param("displayName", displayName)
                .update();
        return jdbc.sql(ACCOUNT_VERSION)
                .param("userId", userId)
                .query(Long.class)
                .single();
    }

    /** Adds or updates a contact; @return the new contacts version */
    @Transactional
    long put(String ownerId, String contactId, @Nullable String alias) {
        long version = bump(ownerId);
        jdbc.sql(UPSERT_CONTACT)
                .param("ownerId", ownerId)
                .param("contactId", contactId)
                .param("alias", alias)
                .param("version", version)
                .update();
        return version;
    }

    /** Deletes a contact, leaving a tombstone for the next sync; empty when it was not a contact. */
    @Transactional
    Optional<Long> delete(String ownerId, String contactId) {
        long present = jdbc.sql(IS_CONTACT)
                .param("ownerId", ownerId)
                .param("contactId", contactId)
                .query(Long.class)
                .single();
        if (present == 0) {
            return Optional.empty();
        }
        long version = bump(ownerId);
        jdbc.sql(DELETE_CONTACT)
                .param("ownerId", ownerId)
                .param("contactId", contactId)
                .param("version", version)
                .update();
        return Optional.of(version);
    }

    private long bump(String ownerId) {
        // the UPDATE locks the owner's row: concurrent changes of one user's contacts get distinct versions
        jdbc.sql(BUMP_CONTACTS).param("userId", ownerId).update();
        return jdbc.sql(CONTACTS_VERSION)
                .param("userId", ownerId)
                .query(Long.class)
                .single();
    }
}
