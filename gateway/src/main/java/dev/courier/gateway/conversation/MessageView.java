package dev.courier.gateway.conversation;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.courier.store.MessageRepository;

/** A message in history: as stored, in its current state. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MessageView(
        @Nullable Long convSeq,
        String messageId,
        String clientMsgId,
        String conversation,
        String from,
        String kind,
        JsonNode content,
        Instant sentAt) {

    static MessageView of(MessageRepository.StoredMessage message) {
        return new MessageView(
                message.convSeq(),
                message.messageId(),
                message.clientMsgId(),
                message.conversation(),
                message.from(),
                message.kind(),
                message.content(),
                message.sentAt());
    }
}
