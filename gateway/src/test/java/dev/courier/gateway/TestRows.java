package dev.courier.gateway;

import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.common.Json;
import dev.courier.store.GroupRepository;

/**
 * The rows the expansion stage writes as it applies a conversation's log, put straight into the shared database (no
 * fanout-worker runs in this module): members joining and leaving, admins, mutes of members and of the group,
 * dissolving, blocks, stored messages, and the outcome of a change. Each change of the group object takes the group's
 * next version, as there.
 */
public final class TestRows {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private TestRows() {}

    private static JdbcClient db() {
        return TestGateway.database();
    }

    /** The user joins the group at its next members version. */
    public static void join(String groupId, String userId) {
        long version = nextMembersVersion(groupId);
        db().sql("INSERT INTO group_members (group_id, user_id, joined_version) VALUES (?, ?, ?)")
                .params(groupId, userId, version)
                .update();
    }

    /** The user leaves the group at its next members version, and with it any admin role and mute. */
    public static void leave(String groupId, String userId) {
        long version = nextMembersVersion(groupId);
        db().sql(
                        "UPDATE group_members SET left_version = ? WHERE group_id = ? AND user_id = ? AND left_version IS NULL")
                .params(version, groupId, userId)
                .update();
        db().sql("DELETE FROM group_admins WHERE group_id = ? AND user_id = ?")
                .params(groupId, userId)
                .update();
        db().sql("DELETE FROM group_mutes WHERE group_id = ? AND user_id = ?")
                .params(groupId, userId)
                .update();
    }

    public static void admin(String groupId, String userId) {
        db().sql("INSERT INTO group_admins (group_id, user_id) VALUES (?, ?)")
                .params(groupId, userId)
                .update();
        bumpGroupVersion(groupId);
    }

    public static void removeAdmin(String groupId, String userId) {
        db().sql("DELETE FROM group_admins WHERE group_id = ? AND user_id = ?")
                .params(groupId, userId)
                .update();
        bumpGroupVersion(groupId);
    }

    /** Mutes the member until {@code until} (epoch ms; {@link GroupRepository#UNTIL_UNMUTED}: until unmuted). */
    public static void mute(String groupId, String userId, long until) {
        db().sql("INSERT INTO group_mutes (group_id, user_id, until_at) VALUES (?, ?, ?)")
                .params(groupId, userId, until)
                .update();
    }

    public static void unmute(String groupId, String userId) {
        db().sql("DELETE FROM group_mutes WHERE group_id = ? AND user_id = ?")
                .params(groupId, userId)
                .update();
    }

    /** Mutes the group: only its owner and admins may send. */
    public static void muteGroup(String groupId) {
        db().sql("UPDATE chat_groups SET muted = TRUE WHERE group_id = ?")
                .param(groupId)
                .update();
        bumpGroupVersion(groupId);
    }

    public static void rename(String groupId, String name) {
        db().sql("UPDATE chat_groups SET name = ? WHERE group_id = ?")
                .params(name, groupId)
                .update();
        bumpGroupVersion(groupId);
    }

    public static void announce(String groupId, String announcement) {
        db().sql("UPDATE chat_groups SET announcement = ? WHERE group_id = ?")
                .params(announcement, groupId)
                .update();
        bumpGroupVersion(groupId);
    }

    /** The member becomes the owner; the old owner stays as an admin. */
    public static void transfer(String groupId, String oldOwner, String newOwner) {
        db().sql("UPDATE chat_groups SET owner_id = ? WHERE group_id = ?")
                .params(newOwner, groupId)
                .update();
        db().sql("DELETE FROM group_admins WHERE group_id = ? AND user_id = ?")
                .params(groupId, newOwner)
                .update();
        db().sql("INSERT INTO group_admins (group_id, user_id) VALUES (?, ?)")
                .params(groupId, oldOwner)
                .update();
        bumpGroupVersion(groupId);
    }

    public static void dissolve(String groupId) {
        db().sql("UPDATE chat_groups SET dissolved_at = ? WHERE group_id = ?")
                .params(System.currentTimeMillis(), groupId)
                .update();
        bumpGroupVersion(groupId);
    }

    public static void unblock(String blocker, String blocked) {
        db().sql("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?")
                .params(blocker, blocked)
                .update();
    }

    public static void block(String blocker, String blocked) {
        db().sql("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)")
                .params(blocker, blocked, System.currentTimeMillis())
                .update();
    }

    /**
     * The outcome of the change at its point in the log: applied ({@code code} null) or refused with the code and
     * detail the call is to answer.
     */
    public static void decide(String eventId, @Nullable String code, @Nullable String detail) {
        db().sql("INSERT INTO change_outcomes (event_id, code, detail, decided_at) VALUES (?, ?, ?, ?)")
                .params(eventId, code, detail, System.currentTimeMillis())
                .update();
    }

    /** A text message of the group stored at its members version now, with the next convSeq; returns its id. */
    public static String groupMessage(String groupId, String sender, String text) {
        String messageId = "m" + Long.toString(System.nanoTime(), 36) + "-" + SEQUENCE.incrementAndGet();
        long now = System.currentTimeMillis();
        long membersVersion = db().sql("SELECT members_version FROM chat_groups WHERE group_id = ?")
                .param(groupId)
                .query(Long.class)
                .single();
        long convSeq = db().sql("SELECT COALESCE(MAX(conv_seq), 0) + 1 FROM messages WHERE conversation_id = ?")
                .param("g:" + groupId)
                .query(Long.class)
                .single();
        db().sql("""
                        INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content,
                                              sent_at, members_version, origin, stored_at, conv_seq)
                        VALUES (?, ?, ?, ?, 'text', ?, ?, ?, NULL, ?, ?)
                        """)
                .params(
                        messageId,
                        "g:" + groupId,
                        sender,
                        "c-" + messageId,
                        Json.MAPPER.valueToTree(text).toString(),
                        now,
                        membersVersion,
                        now,
                        convSeq)
                .update();
        return messageId;
    }

    /** The group's version of its object, as stored. */
    public static long groupVersion(String groupId) {
        return db().sql("SELECT group_version FROM chat_groups WHERE group_id = ?")
                .param(groupId)
                .query(Long.class)
                .single();
    }

    private static long nextMembersVersion(String groupId) {
        db().sql("UPDATE chat_groups SET members_version = members_version + 1 WHERE group_id = ?")
                .param(groupId)
                .update();
        bumpGroupVersion(groupId);
        return db().sql("SELECT members_version FROM chat_groups WHERE group_id = ?")
                .param(groupId)
                .query(Long.class)
                .single();
    }

    private static void bumpGroupVersion(String groupId) {
        db().sql("UPDATE chat_groups SET group_version = group_version + 1 WHERE group_id = ?")
                .param(groupId)
                .update();
    }
}
