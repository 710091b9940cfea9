package dev.courier.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.Json;
import dev.courier.common.MessageContent;

import static dev.courier.store.SqlLists.chunks;
import static dev.courier.store.SqlLists.placeholders;
import static dev.courier.store.SqlLists.tuples;

/**
 * Stored messages, each body once. Only the expansion stage stores them, in the order of their conversation's log;
 * {@code (sender, clientMsgId)} identifies one send forever.
 */
public class MessageRepository {

    /**
     * Characters of message content per INSERT statement, at most, so that a statement stays well below the smallest
     * default {@code max_allowed_packet} (16 MiB on MariaDB) even with 3-byte UTF-8 and escaping; a message larger than
     * this gets a statement of its own.
     */
    static final int CONTENT_CHARS_PER_STATEMENT = 1024 * 1024;

    private static final String MESSAGE_COLUMNS = """
            m.message_id, m.client_msg_id, m.conversation_id, m.conv_seq, m.sender_id, m.kind, m.content, m.sent_at,
            m.members_version, m.reply_to, m.recalled_at, m.edited_at, m.origin""";

    private static final String FIND = "SELECT " + MESSAGE_COLUMNS + " FROM messages m WHERE m.message_id = :messageId";

    /** A conversation's messages before a number, newest first, that are not lifecycle entries. */
    private static final String HISTORY_DIRECT = "SELECT " + MESSAGE_COLUMNS + """
             FROM messages m
            WHERE m.conversation_id = :conversation AND m.conv_seq < :before AND m.kind NOT IN (:lifecycle)
              AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = :userId AND h.message_id = m.message_id)
            """;

    /** ... of those, the ones stored with a members version at which the user was a member. */
    private static final String HISTORY_GROUP = HISTORY_DIRECT + """
              AND EXISTS (SELECT 1 FROM group_members gm
                          WHERE gm.group_id = :groupId AND gm.user_id = :userId
                            AND gm.joined_version <= m.members_version
                            AND (gm.left_version IS NULL OR gm.left_version > m.members_version))
            """;

    private static final String HISTORY_ORDER = " ORDER BY m.conv_seq DESC LIMIT :limit";

    private static final String DESCRIBED = """
            SELECT message_id, conv_seq, sender_id, kind FROM messages WHERE message_id IN (%s)
            """;

    /*
     * The parts of prefetch's UNION ALL, in the same columns: the kind of row, six strings, two numbers, a flag. A
     * message: its id, conversation, sender, kind, origin, client id; members version and number; recalled.
     */
    private static final String PREFETCH_STORED = """
            SELECT 0, message_id, conversation_id, sender_id, kind, origin, client_msg_id, members_version, conv_seq,
                   recalled_at IS NOT NULL
            FROM messages WHERE message_id IN (%s)""";

    /** A conversation's number: its id, and the number as the first of the two numbers. */
    private static final String PREFETCH_LAST_CONV_SEQS = """
            SELECT 1, conversation_id, NULL, NULL, NULL, NULL, NULL, last_conv_seq, 0, FALSE
            FROM conversation_seqs WHERE conversation_id IN (%s)""";

    /** A block: the blocker and the blocked. */
    private static final String PREFETCH_BLOCKS = """
            SELECT 2, blocker_id, blocked_id, NULL, NULL, NULL, NULL, 0, 0, FALSE
            FROM blocks WHERE blocker_id IN (%s)""";

    private static final String ADVANCE_CONV_SEQS = """
            INSERT INTO conversation_seqs (conversation_id, last_conv_seq) VALUES %s
            ON DUPLICATE KEY UPDATE last_conv_seq = GREATEST(last_conv_seq, VALUES(last_conv_seq))
            """;

    private static final String INSERT_MESSAGES = """
            INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content, sent_at,
                                  members_version, origin, stored_at, conv_seq, reply_to)
            VALUES %s
            """;

    /** One round trip per direct send: whether it was stored before (a retry), whether the recipient exists. */
    /** One round trip per direct send: stored before, the recipient exists, the recipient blocked the sender. */
    private static final String CHECK_DIRECT = """
            SELECT (SELECT sent_at FROM messages WHERE message_id = ?),
                   (SELECT COUNT(*) FROM accounts WHERE user_id = ?),
                   (SELECT COUNT(*) FROM blocks WHERE blocker_id = ? AND blocked_id = ?)
            """;

    /**
     * One round trip per group send: stored before, the group exists (and whether it is dissolved or muted), the
     * sender is a member now, an owner or admin, muted until when.
     */
    private static final String CHECK_GROUP = """
            SELECT (SELECT sent_at FROM messages WHERE message_id = ?),
                   g.group_id IS NOT NULL,
                   (SELECT COUNT(*) FROM group_members WHERE group_id = ? AND user_id = ? AND left_version IS NULL),
                   g.dissolved_at IS NOT NULL,
                   COALESCE(g.muted, FALSE),
                   g.owner_id = ? OR EXISTS (SELECT 1 FROM group_admins WHERE group_id = ? AND user_id = ?),
                   (SELECT until_at FROM group_mutes WHERE group_id = ? AND user_id = ?)
            FROM (SELECT 1 AS one) single LEFT JOIN chat_groups g ON g.group_id = ?
            """;

    private final JdbcClient jdbc;

    public MessageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A message to store, with the members version it was expanded to (0 for a direct message) and its number in its
     * conversation.
     */
    public record NewMessage(
            ConversationRecord.MessagePosted message,
            String content,
            long membersVersion,
            @Nullable Long convSeq) {

        public NewMessage(ConversationRecord.MessagePosted message, long membersVersion, @Nullable Long convSeq) {
            this(message, message.content().toString(), membersVersion, convSeq);
        }
    }

    /**
     * What a stored message keeps of its first expansion: its members version and its number, and whose message of
     * which conversation it is.
     */
    public record Stored(
            long membersVersion,
            long convSeq,
            String conversation,
            String from,
            String kind,
            boolean recalled,
            @Nullable String origin,
            String clientMsgId) {}

    /**
     * What a send needs to know before it is accepted, in one round trip.
     *
     * @param storedAt the {@code sentAt} of the message when it is stored already (the send is a retry)
     * @param targetExists whether the recipient (direct) or the group exists
     * @param memberNow for a group send, whether the sender is a member now
     * @param blocked for a direct send, whether the recipient blocked the sender
     * @param dissolved for a group send, whether the group is dissolved
     * @param groupMuted for a group send, whether the group is muted
     * @param manager for a group send, whether the sender is the owner or an admin
     * @param mutedUntil for a group send, the end of the sender's mute (epoch milliseconds), null when not muted
     */
    public record SendCheck(
            @Nullable Long storedAt,
            boolean targetExists,
            boolean memberNow,
            boolean blocked,
            boolean dissolved,
            boolean groupMuted,
            boolean manager,
            @Nullable Long mutedUntil) {}

    public SendCheck checkDirectSend(String messageId, String sender, String recipient) {
        return jdbc.sql(CHECK_DIRECT)
                .params(messageId, recipient, recipient, sender)
                .query(rs -> {
                    rs.next();
                    long storedAt = rs.getLong(1);
                    boolean stored = !rs.wasNull();
                    return new SendCheck(
                            stored ? storedAt : null,
                            rs.getLong(2) > 0,
                            false,
                            rs.getLong(3) > 0,
                            false,
                            false,
                            false,
                            null);
                });
    }

    public SendCheck checkGroupSend(String messageId, String groupId, String sender) {
        return jdbc.sql(CHECK_GROUP)
                .params(messageId, groupId, sender, sender, groupId, sender, groupId, sender, groupId)
                .query(rs -> {
                    rs.next();
                    long storedAt = rs.getLong(1);
                    boolean stored = !rs.wasNull();
                    long mutedUntil = rs.getLong(7);
                    boolean muted = !rs.wasNull();
                    return new SendCheck(
                            stored ? storedAt : null,
                            rs.getBoolean(2),
                            rs.getLong(3) > 0,
                            false,
                            rs.getBoolean(4),
                            rs.getBoolean(5),
                            rs.getBoolean(6),
                            muted ? mutedUntil : null);
                });
    }

    /**
     * A stored message in its current state ({@code convSeq} is null for an entry that is one user's alone; the
     * content is the last edit's).
     */
    public record StoredMessage(
            String messageId,
            String clientMsgId,
            String conversation,
            @Nullable Long convSeq,
            String from,
            String kind,
            JsonNode content,
            Instant sentAt,
            long membersVersion,
            @Nullable String replyTo,
            @Nullable Instant recalledAt,
            @Nullable Instant editedAt,
            @Nullable String origin) {}

    private static StoredMessage storedMessage(ResultSet rs, int row) throws SQLException {
        long convSeq = rs.getLong(4);
        Long numbered = rs.wasNull() ? null : convSeq;
        return new StoredMessage(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                numbered,
                rs.getString(5),
                rs.getString(6),
                Json.MAPPER.readTree(rs.getString(7)),
                Instant.ofEpochMilli(rs.getLong(8)),
                rs.getLong(9),
                rs.getString(10),
                instant(rs, 11),
                instant(rs, 12),
                rs.getString(13));
    }

    private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    public Optional<StoredMessage> find(String messageId) {
        return jdbc.sql(FIND)
                .param("messageId", messageId)
                .query(MessageRepository::storedMessage)
                .optional();
    }

    /**
     * Up to {@code limit} of a conversation's messages numbered below {@code beforeSeq}, newest first, that {@code
     * userId} may see (a group's from the user's joining to their leaving, by the members stored with each message);
     * lifecycle entries are not listed.
     */
    public List<StoredMessage> history(String conversation, String userId, long beforeSeq, int limit) {
        ConversationId id = new ConversationId(conversation);
        JdbcClient.StatementSpec query = jdbc.sql((id.isGroup() ? HISTORY_GROUP : HISTORY_DIRECT) + HISTORY_ORDER)
                .param("conversation", conversation)
                .param("before", beforeSeq)
                .param("lifecycle", MessageContent.LIFECYCLE_KINDS)
                .param("limit", limit)
                .param("userId", userId);
        if (id.isGroup()) {
            query = query.param("groupId", id.groupId());
        }
        return query.query(MessageRepository::storedMessage).list();
    }

    /** What the inbox writer needs of a stored message: its number, its sender, its kind. */
    public record Described(long convSeq, String from, String kind) {}

    /** The number, sender and kind of each of these messages that is stored. */
    public Map<String, Described> describe(Collection<String> messageIds) {
        Map<String, Described> found = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(messageIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(DESCRIBED.formatted(placeholders(chunk.size())))
                    .params(chunk)
                    .query(rs -> {
                        found.put(rs.getString(1), new Described(rs.getLong(2), rs.getString(3), rs.getString(4)));
                    });
        }
        return found;
    }

    /**
     * What the expansion stage reads before it applies a batch: the messages stored before ({@code stored}, by message
     * id, with their members version, 0 for a direct message, and number: a stored message is a redelivery or a
     * retried send and keeps the recipients and the number of its first expansion), the number of the newest entry of each conversation that has one ({@code lastConvSeqs}), and every block of
     * the blockers asked for ({@code blocks}: the caller picks those it needs).
     */
    public record Prefetched(
            Map<String, Stored> stored, Map<String, Long> lastConvSeqs, Set<BlockRepository.Block> blocks) {}

    /**
     * Reads {@link Prefetched} in one UNION ALL per {@value SqlLists#ROWS_PER_STATEMENT} ids of the longest list (one
     * statement for a batch of direct chat), its rows told apart by the first column (0 a message, 1 a
     * conversation's number, 2 a block); each part only for a list with ids left.
     */
    public Prefetched prefetch(
            Collection<String> messageIds, Collection<String> conversations, Collection<String> blockers) {
        List<List<String>> messageChunks = chunks(List.copyOf(messageIds), SqlLists.ROWS_PER_STATEMENT);
        List<List<String>> conversationChunks = chunks(List.copyOf(conversations), SqlLists.ROWS_PER_STATEMENT);
        List<List<String>> blockerChunks = chunks(List.copyOf(blockers), SqlLists.ROWS_PER_STATEMENT);
        Map<String, Stored> stored = new HashMap<>();
        Map<String, Long> lastConvSeqs = new HashMap<>();
        Set<BlockRepository.Block> blocks = new HashSet<>();
        int statements = Math.max(messageChunks.size(), Math.max(conversationChunks.size(), blockerChunks.size()));
        for (int i = 0; i < statements; i++) {
            List<String> parts = new ArrayList<>(3);
            List<Object> args = new ArrayList<>();
            addPart(parts, args, PREFETCH_STORED, messageChunks, i);
            addPart(parts, args, PREFETCH_LAST_CONV_SEQS, conversationChunks, i);
            addPart(parts, args, PREFETCH_BLOCKS, blockerChunks, i);
            jdbc.sql(String.join(" UNION ALL ", parts)).params(args).query(rs -> {
                switch (rs.getInt(1)) {
                    case 0 ->
                        stored.put(
                                rs.getString(2),
                                new Stored(
                                        rs.getLong(8),
                                        rs.getLong(9),
                                        rs.getString(3),
                                        rs.getString(4),
                                        rs.getString(5),
                                        rs.getBoolean(10),
                                        rs.getString(6),
                                        rs.getString(7)));
                    case 1 -> lastConvSeqs.put(rs.getString(2), rs.getLong(8));
                    default -> blocks.add(new BlockRepository.Block(rs.getString(2), rs.getString(3)));
                }
            });
        }
        return new Prefetched(stored, lastConvSeqs, blocks);
    }

    /** The part of {@link #prefetch}'s i-th statement for one list's i-th chunk, if the list has one. */
    private static void addPart(List<String> parts, List<Object> args, String part, List<List<String>> chunks, int i) {
        if (i < chunks.size()) {
            parts.add(part.formatted(placeholders(chunks.get(i).size())));
            args.addAll(chunks.get(i));
        }
    }

    /** Records the number of each conversation's newest entry (a number never goes back). */
    public void advanceConvSeqs(Map<String, Long> lastConvSeqs) {
        List<Map.Entry<String, Long>> entries = List.copyOf(lastConvSeqs.entrySet());
        for (List<Map.Entry<String, Long>> chunk : chunks(entries, SqlLists.ROWS_PER_STATEMENT)) {
            List<Object> args = new ArrayList<>(chunk.size() * 2);
            for (Map.Entry<String, Long> entry : chunk) {
                args.add(entry.getKey());
                args.add(entry.getValue());
            }
            jdbc.sql(ADVANCE_CONV_SEQS.formatted(tuples(chunk.size(), "(?, ?)")))
                    .params(args)
                    .update();
        }
    }

    /** Stores new messages (none stored before, each once), with multi-row INSERTs. */
    public void store(List<NewMessage> messages, long now) {
        int from = 0;
        while (from < messages.size()) {
            int to = from;
            long chars = 0;
            while (to < messages.size()
                    && to - from < SqlLists.ROWS_PER_STATEMENT
                    && (to == from || chars + messages.get(to).content().length() <= CONTENT_CHARS_PER_STATEMENT)) {
                chars += messages.get(to).content().length();
                to++;
            }
            List<NewMessage> chunk = messages.subList(from, to);
            List<Object> args = new ArrayList<>(chunk.size() * 12);
            for (NewMessage stored : chunk) {
                ConversationRecord.MessagePosted message = stored.message();
                args.add(message.messageId());
                args.add(message.conversation());
                args.add(message.from());
                args.add(message.clientMsgId());
                args.add(message.kind());
                args.add(stored.content());
                args.add(message.sentAt().toEpochMilli());
                args.add(stored.membersVersion());
                // typed, so that a null does not make the driver describe the statement's parameters
                args.add(new SqlParameterValue(Types.VARCHAR, message.origin()));
                args.add(now);
                args.add(new SqlParameterValue(Types.BIGINT, stored.convSeq()));
                args.add(new SqlParameterValue(Types.VARCHAR, message.replyTo()));
            }
            jdbc.sql(INSERT_MESSAGES.formatted(tuples(chunk.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
                    .params(args)
                    .update();
            from = to;
        }
    }

    private static final String RECALL = """
            UPDATE messages SET recalled_at = :at WHERE message_id = :messageId AND recalled_at IS NULL
            """;

    private static final String EDIT = """
            UPDATE messages SET content = :content, edited_at = :at WHERE message_id = :messageId
            """;

    private static final String HIDDEN = """
            SELECT COUNT(*) FROM message_hides WHERE user_id = :userId AND message_id = :messageId
            """;

    private static final String HIDE = "INSERT INTO message_hides (user_id, message_id) VALUES (:userId, :messageId)";

    private static final String REACTED = """
            SELECT COUNT(*) FROM message_reactions WHERE message_id = :messageId AND emoji = :emoji AND user_id = :userId
            """;

    private static final String REACT = """
            INSERT INTO message_reactions (message_id, emoji, user_id, reacted_seq)
            VALUES (:messageId, :emoji, :userId, :seq)
            """;

    private static final String UNREACT = """
            DELETE FROM message_reactions WHERE message_id = :messageId AND emoji = :emoji AND user_id = :userId
            """;

    private static final String REACTIONS = """
            SELECT message_id, emoji, user_id FROM message_reactions WHERE message_id IN (%s)
            ORDER BY reacted_seq, user_id
            """;

    /** Marks the message recalled (once: a later recall changes nothing). */
    public void recall(String messageId, long at) {
        jdbc.sql(RECALL).param("messageId", messageId).param("at", at).update();
    }

    /** Replaces the message's content (a text edit). */
    public void edit(String messageId, String content, long at) {
        jdbc.sql(EDIT)
                .param("messageId", messageId)
                .param("content", content)
                .param("at", at)
                .update();
    }

    public boolean isHidden(String userId, String messageId) {
        return jdbc.sql(HIDDEN)
                        .param("userId", userId)
                        .param("messageId", messageId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** Leaves the message out of the user's own view. */
    public void hide(String userId, String messageId) {
        jdbc.sql(HIDE).param("userId", userId).param("messageId", messageId).update();
    }

    public boolean hasReacted(String messageId, String emoji, String userId) {
        return jdbc.sql(REACTED)
                        .param("messageId", messageId)
                        .param("emoji", emoji)
                        .param("userId", userId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** Adds the user's reaction at the reaction entry's number, or removes it. */
    public void react(String messageId, String emoji, String userId, long seq, boolean added) {
        jdbc.sql(added ? REACT : UNREACT)
                .param("messageId", messageId)
                .param("emoji", emoji)
                .param("userId", userId)
                .param("seq", seq)
                .update();
    }

    /** The reactions of each of these messages: each emoji with the users who reacted with it, in their order. */
    public Map<String, Map<String, List<String>>> reactions(Collection<String> messageIds) {
        Map<String, Map<String, List<String>>> reactions = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(messageIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(REACTIONS.formatted(placeholders(chunk.size())))
                    .params(chunk)
                    .query(rs -> {
                        reactions
                                .computeIfAbsent(rs.getString(1), id -> new LinkedHashMap<>())
                                .computeIfAbsent(rs.getString(2), emoji -> new ArrayList<>())
                                .add(rs.getString(3));
                    });
        }
        return reactions;
    }
}
