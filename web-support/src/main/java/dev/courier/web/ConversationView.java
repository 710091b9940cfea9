package dev.courier.web;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.courier.store.ConversationRepository;

/**
 * A user's state of a conversation on the wire (PROTOCOL.md, "Conversation state"), as sync deltas and the
 * conversation calls answer it. {@code peerReadSeq} is present in direct conversations only; {@code lastMessage} is
 * null while the conversation has no message.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ConversationView(
        String conversation,
        long lastConvSeq,
        @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable LastMessage lastMessage,
        long readSeq,
        int unread,
        @Nullable Long peerReadSeq,
        boolean muted,
        long version) {

    /** The newest entry that is not a lifecycle entry, in its current state. */
    public record LastMessage(
            long convSeq, String messageId, String from, String kind, JsonNode content, Instant sentAt) {}

    public static ConversationView of(ConversationRepository.State state) {
        ConversationRepository.LastMessage last = state.lastMessage();
        return new ConversationView(
                state.conversation(),
                state.lastConvSeq(),
                last == null
                        ? null
                        : new LastMessage(
                                last.convSeq(),
                                last.messageId(),
                                last.from(),
                                last.kind(),
                                last.content(),
                                last.sentAt()),
                state.readSeq(),
                state.unread(),
                state.direct() ? state.peerReadSeq() : null,
                state.muted(),
                state.version());
    }
}
