package dev.courier.gateway.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.ConversationId;
import dev.courier.common.Ids;
import dev.courier.store.ConversationRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.store.MessageRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;

/**
 * {@code GET /v1/messages/{messageId}/receipts}: who of the other members (as of the message: those it was entered
 * for, but its sender) has read up to it. A message the caller may not see is {@code 404}.
 */
@RestController
class ReceiptController {

    private final MessageRepository messages;

    private final MembershipRepository memberships;

    private final ConversationRepository conversations;

    ReceiptController(
            MessageRepository messages, MembershipRepository memberships, ConversationRepository conversations) {
        this.messages = messages;
        this.memberships = memberships;
        this.conversations = conversations;
    }

    @GetMapping("/v1/messages/{messageId}/receipts")
    Receipts receipts(Caller caller, @PathVariable String messageId) {
        MessageRepository.StoredMessage message = (Ids.isMessageId(messageId)
                        ? messages.find(messageId)
                        : java.util.Optional.<MessageRepository.StoredMessage>empty())
                .filter(found -> found.convSeq() != null)
                .orElseThrow(() -> notFound(messageId));
        ConversationId conversation = new ConversationId(message.conversation());
        List<String> members = conversation.isGroup()
                ? memberships.membersAt(conversation.groupId(), message.membersVersion())
                : conversation.directUsers();
        if (!members.contains(caller.userId())) {
            throw notFound(messageId);
        }
        long convSeq = message.convSeq() == null ? 0 : message.convSeq();
        List<String> others = new ArrayList<>(members);
        others.remove(message.from());
        Map<String, Long> positions = conversations.readPositions(message.conversation(), others);
        List<String> readBy = new ArrayList<>();
        List<String> unreadBy = new ArrayList<>();
        for (String member : others) {
            (positions.getOrDefault(member, 0L) >= convSeq ? readBy : unreadBy).add(member);
        }
        return new Receipts(message.messageId(), message.conversation(), convSeq, readBy, unreadBy);
    }

    private static ApiException notFound(String messageId) {
        return ApiException.notFound("no message '" + messageId + "'");
    }

    record Receipts(String messageId, String conversation, long convSeq, List<String> readBy, List<String> unreadBy) {}
}
