package dev.courier.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private static final String STORED = """
            SELECT message_id, members_version, conv_seq, conversation_id, sender_id FROM messages
            WHERE message_id IN (%s)
            """;

    private static final String MESSAGE_COLUMNS = """
            m.message_id, m.client_msg_id, m.conversation_id, m.conv_seq, m.sender_id, m.kind, m.content, m.sent_at,
            m.members_version""";

    private static final String FIND = "SELECT " + MESSAGE_COLUMNS + " FROM messages m WHERE m.message_id = :messageId";

    /** A conversation's messages before a number, newest first, that are not lifecycle entries. */
    private static final String HISTORY_DIRECT = "SELECT " + MESSAGE_COLUMNS + """
             FROM messages m
            WHERE m.conversation_id = :conversation AND m.conv_seq < :before AND m.kind NOT IN (:lifecycle)
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

    private static final String LAST_CONV_SEQS = """
            SELECT conversation_id, last_conv_seq FROM conversation_seqs WHERE conversation_id IN (%s)
            """;

    private static final String ADVANCE_CONV_SEQS = """
            INSERT INTO conversation_seqs (conversation_id, last_conv_seq) VALUES %s
            ON DUPLICATE KEY UPDATE last_conv_seq = GREATEST(last_conv_seq, VALUES(last_conv_seq))
            """;

    private static final String INSERT_MESSAGES = """
            INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content, sent_at,
                                  members_version, origin, stored_at, conv_seq)
            VALUES %s
            """;

    /** One round trip per direct send: whether it was stored before (a retry), whether the recipient exists. */
    private static final String CHECK_DIRECT = """
            SELECT (SELECT sent_at FROM messages WHERE message_id = ?),
                   (SELECT COUNT(*) FROM accounts WHERE user_id = ?),
                   0
            """;

    /** One round trip per group send: stored before, the group exists, the sender is a member now. */
    private static final String CHECK_GROUP = """
            SELECT (SELECT sent_at FROM messages WHERE message_id = ?),
                   (SELECT COUNT(*) FROM chat_groups WHERE group_id = ?),
                   (SELECT COUNT(*) FROM group_members WHERE group_id = ? AND user_id = ? AND left_version IS NULL)
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
            ConversationRecord.MessagePosted message, String content, long membersVersion, long convSeq) {

        public NewMessage(ConversationRecord.MessagePosted message, long membersVersion, long convSeq) {
            this(message, message.content().toString(), membersVersion, convSeq);
        }
    }

    /**
     * What a stored message keeps of its first expansion: its members version and its number, and whose message of
     * which conversation it is.
     */
    public record Stored(long membersVersion, long convSeq, String conversation, String from) {}

    /**
     * What a send needs to know before it is accepted, in one round trip.
     *
     * @param storedAt the {@code sentAt} of the message when it is stored already (the send is a retry)
     * @param targetExists whether the recipient (direct) or the group exists
     * @param memberNow for a group send, whether the sender is a member now
     */
    public record SendCheck(@Nullable Long storedAt, boolean targetExists, boolean memberNow) {}

    public SendCheck checkDirectSend(String messageId, String recipient) {
        return check(CHECK_DIRECT, messageId, recipient);
    }

    public SendCheck checkGroupSend(String messageId, String groupId, String sender) {
        return check(CHECK_GROUP, messageId, groupId, groupId, sender);
    }

    private SendCheck check(String sql, Object... params) {
        return jdbc.sql(sql).params(params).query(rs -> {
            rs.next();
            long storedAt = rs.getLong(1);
            boolean stored = !rs.wasNull();
            return new SendCheck(stored ? storedAt : null, rs.getLong(2) > 0, rs.getLong(3) > 0);
        });
    }

    /**
     * Which of these messages are stored already, with their members version (0 for a direct message) and their
     * number: a stored message is a redelivery or a retried send and keeps the recipients and the number of its first
     * expansion.
     */
    public Map<String, Stored> stored(Collection<String> messageIds) {
        Map<String, Stored> found = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(messageIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(STORED.formatted(placeholders(chunk.size()))).params(chunk).query(rs -> {
                found.put(rs.getString(1), new Stored(rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5)));
            });
        }
        return found;
    }

    /** A stored message as it was sent ({@code convSeq} is null for an entry that is one user's alone). */
    public record StoredMessage(
            String messageId,
            String clientMsgId,
            String conversation,
            @Nullable Long convSeq,
            String from,
            String kind,
            JsonNode content,
            Instant sentAt,
            long membersVersion) {}

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
                rs.getLong(9));
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
                .param("limit", limit);
        if (id.isGroup()) {
            query = query.param("groupId", id.groupId()).param("userId", userId);
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

    /** The number of the newest entry of each of these conversations that has one. */
    public Map<String, Long> lastConvSeqs(Collection<String> conversations) {
        Map<String, Long> found = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(conversations), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(LAST_CONV_SEQS.formatted(placeholders(chunk.size())))
                    .params(chunk)
                    .query(rs -> {
                        found.put(rs.getString(1), rs.getLong(2));
                    });
        }
        return found;
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
            List<Object> args = new ArrayList<>(chunk.size() * 11);
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
                args.add(stored.convSeq());
            }
            jdbc.sql(INSERT_MESSAGES.formatted(tuples(chunk.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
                    .params(args)
                    .update();
            from = to;
        }
    }
}
