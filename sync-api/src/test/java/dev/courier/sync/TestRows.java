package dev.courier.sync;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.common.Json;

/**
 * The rows a sync reads, put straight into the shared database as the gateway and the fanout-worker write them: stored
 * messages, inbox entries with the user's head, account renames and contacts with their versions, groups and the
 * user's groups data type.
 */
final class TestRows {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private TestRows() {}

    private static JdbcClient db() {
        return TestSyncApi.jdbc();
    }

    /** Stores a text message once and enters it in each recipient's inbox; returns its id. */
    static String deliver(String from, String text, String... recipients) {
        String messageId = "m" + Long.toString(System.nanoTime(), 36) + "-" + SEQUENCE.incrementAndGet();
        long now = System.currentTimeMillis();
        db().sql("""
                        INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content,
                                              sent_at, members_version, origin, stored_at)
                        VALUES (?, ?, ?, ?, 'text', ?, ?, 0, NULL, ?)
                        """)
                .params(
                        messageId,
                        "d:" + from + ":" + recipients[0],
                        from,
                        "c-" + messageId,
                        Json.MAPPER.valueToTree(text).toString(),
                        now,
                        now)
                .update();
        for (String recipient : recipients) {
            enter(recipient, messageId, now);
        }
        return messageId;
    }

    /** {@code count} texts from {@code from} to {@code to}, in order; returns their ids. */
    static List<String> deliverTexts(String from, String to, int count, String prefix) {
        return IntStream.range(0, count)
                .mapToObj(i -> deliver(from, prefix + " " + i, to))
                .toList();
    }

    /** The next seq of the user's inbox, as the inbox writer assigns it: one past the head, which moves with it. */
    private static void enter(String userId, String messageId, long now) {
        db().sql("INSERT INTO inbox_heads (user_id, head_seq) VALUES (?, 0) ON DUPLICATE KEY UPDATE user_id = user_id")
                .param(userId)
                .update();
        long seq = db().sql("SELECT head_seq + 1 FROM inbox_heads WHERE user_id = ?")
                .param(userId)
                .query(Long.class)
                .single();
        db().sql("INSERT INTO inbox (user_id, seq, message_id, created_at) VALUES (?, ?, ?, ?)")
                .params(userId, seq, messageId, now)
                .update();
        db().sql("UPDATE inbox_heads SET head_seq = ? WHERE user_id = ?")
                .params(seq, userId)
                .update();
    }

    /**
     * Moves the user's state of a conversation to a last message and an unread count under the user's next
     * conversations version, as the inbox writer does; returns the version.
     */
    static long conversationChanged(String userId, String conversation, String lastMessageId, int unread) {
        db().sql("""
                        INSERT INTO inbox_heads (user_id, head_seq, conversations_version) VALUES (?, 0, 1)
                        ON DUPLICATE KEY UPDATE conversations_version = conversations_version + 1
                        """).param(userId).update();
        long version = db().sql("SELECT conversations_version FROM inbox_heads WHERE user_id = ?")
                .param(userId)
                .query(Long.class)
                .single();
        db().sql("""
                        INSERT INTO conversation_states (user_id, conversation_id, last_conv_seq, last_message_id,
                                                         last_seq, unread, version)
                        VALUES (?, ?, 0, ?, 0, ?, ?)
                        ON DUPLICATE KEY UPDATE last_message_id = VALUES(last_message_id), unread = VALUES(unread),
                            version = VALUES(version)
                        """)
                .params(userId, conversation, lastMessageId, unread, version)
                .update();
        return version;
    }

    /** Renames the user, bumping the account version, as {@code PATCH /v1/account} does. */
    static void rename(String userId, String displayName) {
        db().sql("UPDATE accounts SET display_name = ?, account_version = account_version + 1 WHERE user_id = ?")
                .params(displayName, userId)
                .update();
    }

    /** Adds, changes or (with {@code deleted}) deletes a contact, bumping the owner's contacts version. */
    static long contact(String ownerId, String contactId, String alias, boolean deleted) {
        db().sql("UPDATE accounts SET contacts_version = contacts_version + 1 WHERE user_id = ?")
                .param(ownerId)
                .update();
        long version = db().sql("SELECT contacts_version FROM accounts WHERE user_id = ?")
                .param(ownerId)
                .query(Long.class)
                .single();
        db().sql("""
                        INSERT INTO contacts (owner_id, contact_id, alias, deleted, version)
                        VALUES (:owner, :contact, :alias, :deleted, :version)
                        ON DUPLICATE KEY UPDATE alias = :alias, deleted = :deleted, version = :version
                        """)
                .param("owner", ownerId)
                .param("contact", contactId)
                .param("alias", alias)
                .param("deleted", deleted)
                .param("version", version)
                .update();
        return version;
    }

    /** A group as the gateway creates it: version 1, the owner and the members joined at members version 1. */
    static void group(String groupId, String name, String owner, String... members) {
        db().sql("""
                        INSERT INTO chat_groups (group_id, name, owner_id, members_version, created_at)
                        VALUES (?, ?, ?, 1, ?)
                        """).params(groupId, name, owner, System.currentTimeMillis()).update();
        for (String member :
                Stream.concat(Stream.of(owner), Stream.of(members)).distinct().toList()) {
            db().sql("INSERT INTO group_members (group_id, user_id, joined_version) VALUES (?, ?, 1)")
                    .params(groupId, member)
                    .update();
        }
    }

    /** Renames the group, a change of its object, as the expansion stage applies it. */
    static void renameGroup(String groupId, String name) {
        db().sql("UPDATE chat_groups SET name = ?, group_version = group_version + 1 WHERE group_id = ?")
                .params(name, groupId)
                .update();
    }

    static void admin(String groupId, String userId) {
        db().sql("INSERT INTO group_admins (group_id, user_id) VALUES (?, ?)")
                .params(groupId, userId)
                .update();
        db().sql("UPDATE chat_groups SET group_version = group_version + 1 WHERE group_id = ?")
                .param(groupId)
                .update();
    }

    /** The member leaves at the group's next members version. */
    static void leaveGroup(String groupId, String userId) {
        db().sql("""
                        UPDATE chat_groups SET members_version = members_version + 1, group_version = group_version + 1
                        WHERE group_id = ?
                        """).param(groupId).update();
        db().sql("""
                        UPDATE group_members SET left_version = (SELECT members_version FROM chat_groups WHERE group_id = ?)
                        WHERE group_id = ? AND user_id = ? AND left_version IS NULL
                        """).params(groupId, groupId, userId).update();
    }

    static void dissolveGroup(String groupId) {
        db().sql("UPDATE chat_groups SET dissolved_at = ?, group_version = group_version + 1 WHERE group_id = ?")
                .params(System.currentTimeMillis(), groupId)
                .update();
    }

    /**
     * A change of the group reaches the user's inbox, as the inbox writer records it: the user's groups version moves
     * on and the group's row of their groups data type takes it ({@code left}: the user left or was removed with the
     * change; {@code dissolved}: the change dissolved the group). Returns the version.
     */
    static long groupChanged(String userId, String groupId, boolean left, boolean dissolved) {
        db().sql("INSERT INTO inbox_heads (user_id, head_seq) VALUES (?, 0) ON DUPLICATE KEY UPDATE user_id = user_id")
                .param(userId)
                .update();
        db().sql("UPDATE inbox_heads SET groups_version = groups_version + 1 WHERE user_id = ?")
                .param(userId)
                .update();
        long version = db().sql("SELECT groups_version FROM inbox_heads WHERE user_id = ?")
                .param(userId)
                .query(Long.class)
                .single();
        db().sql("""
                        INSERT INTO user_groups (user_id, group_id, version, has_left, dissolved)
                        VALUES (:user, :group, :version, :left, :dissolved)
                        ON DUPLICATE KEY UPDATE version = :version, has_left = :left, dissolved = :dissolved
                        """)
                .param("user", userId)
                .param("group", groupId)
                .param("version", version)
                .param("left", left)
                .param("dissolved", dissolved)
                .update();
        return version;
    }

    /** The position each of the user's devices acknowledged, as stored. */
    static long ackedSeq(String userId, String deviceId) {
        return db().sql("SELECT acked_seq FROM devices WHERE user_id = ? AND device_id = ?")
                .params(userId, deviceId)
                .query(Long.class)
                .single();
    }
}
