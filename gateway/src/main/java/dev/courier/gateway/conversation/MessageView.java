package dev.courier.gateway.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.courier.store.MessageRepository;

/**
 * A message in history, in its current state: the last edit's content and {@code editedAt}; {@code recalled: true}
 * and no content once recalled; the message it replies to; its reactions, each emoji with the users who reacted
 * with it in the order they did ({@code {}} when none).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MessageView(
        @Nullable Long convSeq,
        String messageId,
        String clientMsgId,
        String conversation,
        String from,
        String kind,
        @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable JsonNode content,
        Instant sentAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable String replyTo,
        @Nullable Instant editedAt,
        @Nullable Boolean recalled,
        Map<String, List<String>> reactions) {

    static MessageView of(MessageRepository.StoredMessage message, Map<String, List<String>> reactions) {
        boolean recalled = message.recalledAt() != null;
        return new MessageView(
                message.convSeq(),
                message.messageId(),
                message.clientMsgId(),
                message.conversation(),
                message.from(),
                message.kind(),
                recalled ? null : message.content(),
                message.sentAt(),
                message.replyTo(),
                message.editedAt(),
                recalled ? Boolean.TRUE : null,
                reactions);
    }
}
