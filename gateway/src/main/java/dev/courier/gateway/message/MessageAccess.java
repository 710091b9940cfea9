package dev.courier.gateway.message;

import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.courier.common.ConversationId;
import dev.courier.common.Ids;
import dev.courier.common.MessageContent;
import dev.courier.store.GroupRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.store.MessageRepository;

/**
 * Which stored messages a user may see: every message of a direct conversation of theirs, and a group's messages
 * stored with a members version at which they were a member (PROTOCOL.md, "History"). Lifecycle entries and
 * system messages are not messages one acts on.
 */
@Component
public class MessageAccess {

    private final MessageRepository messages;

    private final MembershipRepository memberships;

    private final GroupRepository groups;

    MessageAccess(MessageRepository messages, MembershipRepository memberships, GroupRepository groups) {
        this.messages = messages;
        this.memberships = memberships;
        this.groups = groups;
    }

    /** The message, if it is stored, is not a lifecycle entry, and the user may see it. */
    public Optional<MessageRepository.StoredMessage> visible(String userId, String messageId) {
        if (!Ids.isMessageId(messageId)) {
            return Optional.empty();
        }
        return messages.find(messageId)
                .filter(message -> message.convSeq() != null && MessageContent.KINDS.contains(message.kind()))
                .filter(message -> maySee(userId, message));
    }

    /** Whether the message's conversation still takes changes: a dissolved group takes none. */
    public boolean isOpen(MessageRepository.StoredMessage message) {
        ConversationId conversation = new ConversationId(message.conversation());
        return !conversation.isGroup()
                || groups.find(conversation.groupId())
                        .filter(group -> !group.dissolved())
                        .isPresent();
    }

    public boolean maySee(String userId, MessageRepository.StoredMessage message) {
        ConversationId conversation = new ConversationId(message.conversation());
        return conversation.isGroup()
                ? memberships
                        .membersAt(conversation.groupId(), message.membersVersion())
                        .contains(userId)
                : conversation.directUsers().contains(userId);
    }
}
