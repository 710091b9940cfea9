package dev.courier.store;

import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.common.ConversationRecord;

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

    private static final String STORED_VERSIONS = """
            SELECT message_id, members_version FROM messages WHERE message_id IN (%s)
            """;

    private static final String INSERT_MESSAGES = """
            INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content, sent_at,
                                  members_version, origin, stored_at)
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

    /** A message to store, with the members version it was expanded to (0 for a direct message). */
    public record NewMessage(ConversationRecord.MessagePosted message, String content, long membersVersion) {

        public NewMessage(ConversationRecord.MessagePosted message, long membersVersion) {
            this(message, message.content().toString(), membersVersion);
        }
    }

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
     * Which of these messages are stored already, and with which members version (0 for a direct message): a stored
     * message is a redelivery or a retried send and keeps the recipients of its first expansion.
     */
    public Map<String, Long> storedVersions(Collection<String> messageIds) {
        Map<String, Long> found = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(messageIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(STORED_VERSIONS.formatted(placeholders(chunk.size())))
                    .params(chunk)
                    .query(rs -> {
                        found.put(rs.getString(1), rs.getLong(2));
                    });
        }
        return found;
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
            List<Object> args = new ArrayList<>(chunk.size() * 10);
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
            }
            jdbc.sql(INSERT_MESSAGES.formatted(tuples(chunk.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
                    .params(args)
                    .update();
            from = to;
        }
    }
}
