package dev.courier.fanout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.MessageId;
import dev.courier.common.Records;
import dev.courier.common.Topics;

/** Records of {@code courier.conversations} as the gateway writes them, and consumer records built by hand. */
public final class TestRecords {

    private TestRecords() {}

    /** A text message with the id the gateway gives it: derived from the sender and a new client message id. */
    public static ConversationRecord.MessagePosted message(String from, String conversation, String text) {
        String clientMsgId = TestServers.uniqueId("c");
        return message(MessageId.forSend(from, clientMsgId), clientMsgId, from, conversation, text);
    }

    public static ConversationRecord.MessagePosted message(
            String messageId, String clientMsgId, String from, String conversation, String text) {
        return new ConversationRecord.MessagePosted(
                messageId, clientMsgId, conversation, from, "text", StringNode.valueOf(text), Instant.now(), null);
    }

    /** A text message that replies to another message. */
    public static ConversationRecord.MessagePosted reply(
            String from, String conversation, String text, String replyTo) {
        String clientMsgId = TestServers.uniqueId("c");
        return new ConversationRecord.MessagePosted(
                MessageId.forSend(from, clientMsgId),
                clientMsgId,
                conversation,
                from,
                "text",
                StringNode.valueOf(text),
                Instant.now(),
                null,
                replyTo);
    }

    /** A recall of the message, as the gateway writes it. */
    public static ConversationRecord.MessageRecalled recalled(ConversationRecord.MessagePosted message, String by) {
        return new ConversationRecord.MessageRecalled(message.conversation(), message.messageId(), by, Instant.now());
    }

    /** An edit of the message, with a new event id. */
    public static ConversationRecord.MessageEdited edited(
            ConversationRecord.MessagePosted message, String by, String text) {
        return new ConversationRecord.MessageEdited(
                UUID.randomUUID().toString(), message.conversation(), message.messageId(), by, text, Instant.now());
    }

    /** A delete of the message for the user {@code by}. */
    public static ConversationRecord.MessageDeleted deleted(ConversationRecord.MessagePosted message, String by) {
        return new ConversationRecord.MessageDeleted(message.conversation(), message.messageId(), by, Instant.now());
    }

    /** A reaction added ({@code added}) or removed, with a new event id. */
    public static ConversationRecord.ReactionChanged reaction(
            ConversationRecord.MessagePosted message, String by, String emoji, boolean added) {
        return new ConversationRecord.ReactionChanged(
                UUID.randomUUID().toString(),
                message.conversation(),
                message.messageId(),
                by,
                emoji,
                added,
                Instant.now());
    }

    public static String direct(String one, String other) {
        return ConversationId.direct(one, other).value();
    }

    public static String group(String groupId) {
        return ConversationId.group(groupId).value();
    }

    public static ConversationRecord.MembersAdded added(String groupId, String userId, String by) {
        return new ConversationRecord.MembersAdded(
                UUID.randomUUID().toString(), groupId, List.of(userId), by, Instant.now());
    }

    public static ConversationRecord.MemberRemoved removed(String groupId, String userId, String by) {
        return new ConversationRecord.MemberRemoved(UUID.randomUUID().toString(), groupId, userId, by, Instant.now());
    }

    public static ConversationRecord.GroupUpdated renamed(String groupId, String name, String by) {
        return new ConversationRecord.GroupUpdated(
                UUID.randomUUID().toString(), groupId, name, null, null, by, Instant.now());
    }

    public static ConversationRecord.GroupUpdated updated(
            String groupId, String name, String announcement, Boolean muted, String by) {
        return new ConversationRecord.GroupUpdated(
                UUID.randomUUID().toString(), groupId, name, announcement, muted, by, Instant.now());
    }

    public static ConversationRecord.AdminChanged admin(String groupId, String userId, boolean admin, String by) {
        return new ConversationRecord.AdminChanged(
                UUID.randomUUID().toString(), groupId, userId, admin, by, Instant.now());
    }

    public static ConversationRecord.OwnerChanged owner(String groupId, String userId, String by) {
        return new ConversationRecord.OwnerChanged(UUID.randomUUID().toString(), groupId, userId, by, Instant.now());
    }

    /** A mute until {@code until} (null: until unmuted). */
    public static ConversationRecord.MemberMuted muted(String groupId, String userId, Instant until, String by) {
        return new ConversationRecord.MemberMuted(
                UUID.randomUUID().toString(), groupId, userId, true, until, by, Instant.now());
    }

    public static ConversationRecord.MemberMuted unmuted(String groupId, String userId, String by) {
        return new ConversationRecord.MemberMuted(
                UUID.randomUUID().toString(), groupId, userId, false, null, by, Instant.now());
    }

    public static ConversationRecord.GroupDissolved dissolved(String groupId, String by) {
        return new ConversationRecord.GroupDissolved(UUID.randomUUID().toString(), groupId, by, Instant.now());
    }

    public static ConversationRecord.BlockChanged block(String by, String userId, boolean blocked) {
        return new ConversationRecord.BlockChanged(
                UUID.randomUUID().toString(), direct(by, userId), by, userId, blocked, Instant.now());
    }

    /** The records' values, each encoded as on the topic; a {@code String} is taken as it is (a poison record). */
    public static List<String> values(Object... records) {
        List<String> values = new ArrayList<>(records.length);
        for (Object record : records) {
            values.add(
                    record instanceof ConversationRecord conversation ? Records.encode(conversation) : (String) record);
        }
        return values;
    }

    /**
     * A batch of {@code courier.conversations} as a consumer would hand it over: consecutive offsets of one
     * partition, each keyed by its conversation.
     */
    public static List<ConsumerRecord<String, String>> conversationBatch(Object... records) {
        List<ConsumerRecord<String, String>> batch = new ArrayList<>(records.length);
        List<String> values = values(records);
        for (int i = 0; i < records.length; i++) {
            String key = records[i] instanceof ConversationRecord conversation ? conversation.conversation() : "poison";
            batch.add(new ConsumerRecord<>(Topics.CONVERSATIONS, 0, 1000 + i, key, values.get(i)));
        }
        return batch;
    }
}
