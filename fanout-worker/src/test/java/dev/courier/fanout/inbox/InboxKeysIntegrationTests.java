package dev.courier.fanout.inbox;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.common.MessageId;
import dev.courier.fanout.TestServers;

import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The inbox table's keys as the migrations leave them: a message at most once per inbox, under a key that puts the
 * entries of one message side by side (V7), so a group message's entries share an index page.
 */
class InboxKeysIntegrationTests {

    private final JdbcClient jdbc = TestServers.jdbc();

    private void insert(String userId, long seq, String messageId) {
        jdbc.sql("INSERT INTO inbox (user_id, seq, message_id, created_at) VALUES (?, ?, ?, 0)")
                .params(userId, seq, messageId)
                .update();
    }

    @Test
    void aMessageIsAtMostOnceInAnInboxButInEveryMembersInbox() {
        String alice = person("alice");
        String bob = person("bob");
        String message = MessageId.forSend(alice, "keys-1");
        insert(alice, 1, message);
        insert(bob, 1, message);

        assertThatThrownBy(() -> insert(alice, 2, message)).isInstanceOf(DuplicateKeyException.class);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM inbox WHERE message_id = ?")
                        .param(message)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    @Test
    void theUniqueKeyLeadsWithTheMessageSoAMessagesEntriesAreAdjacent() {
        assertThat(jdbc.sql("""
                        SELECT column_name FROM information_schema.statistics
                        WHERE table_schema = DATABASE() AND table_name = 'inbox' AND non_unique = 0
                          AND index_name <> 'PRIMARY'
                        ORDER BY index_name, seq_in_index
                        """).query(String.class).list()).containsExactly("message_id", "user_id");
    }
}
