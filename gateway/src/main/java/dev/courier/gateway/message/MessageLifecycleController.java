package dev.courier.gateway.message;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.MessageContent;
import dev.courier.common.Records;
import dev.courier.common.Text;
import dev.courier.gateway.ConversationPublisher;
import dev.courier.gateway.GatewayProperties;
import dev.courier.store.MessageRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;

/**
 * Recall, edit, delete for me, reactions (PROTOCOL.md, "Message lifecycle"). Each is checked here for a clear answer
 * and then written to the conversation's log, where it is ordered with the messages and checked again: it takes
 * effect at its point there, and reaches every member who saw the target. A target must be stored: a message
 * accepted a moment ago may be {@code 404} until the pipeline stored it.
 */
@RestController
class MessageLifecycleController {

    private final MessageAccess access;

    private final ConversationPublisher publisher;

    private final GatewayProperties properties;

    private final Clock clock;

    private final Pattern reaction;

    MessageLifecycleController(
            MessageAccess access, ConversationPublisher publisher, GatewayProperties properties, Clock clock) {
        this.access = access;
        this.publisher = publisher;
        this.properties = properties;
        this.clock = clock;
        this.reaction = Pattern.compile(properties.reactionPattern());
    }

    @PostMapping("/v1/messages/{messageId}/recall")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Recalled recall(Caller caller, @PathVariable String messageId) {
        MessageRepository.StoredMessage message = changeable(caller, messageId);
        requireSender(caller, message, "recall");
        if (message.recalledAt() != null) {
            return new Recalled(messageId, message.recalledAt()); // a second recall changes nothing
        }
        Instant now = now();
        if (now.isAfter(message.sentAt().plus(properties.recallWindow()))) {
            throw new ApiException(
                    ErrorCode.CONFLICT,
                    "a message may be recalled within " + properties.recallWindow() + " of being sent");
        }
        publisher.publish(
                new ConversationRecord.MessageRecalled(message.conversation(), messageId, caller.userId(), now));
        return new Recalled(messageId, now);
    }

    @PatchMapping("/v1/messages/{messageId}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Edited edit(Caller caller, @PathVariable String messageId, @Valid @RequestBody Edit request) {
        MessageRepository.StoredMessage message = changeable(caller, messageId);
        requireSender(caller, message, "edit");
        if (!message.kind().equals("text")) {
            throw ApiException.invalid("messageId: only a text message can be edited");
        }
        MessageContent.Problem problem =
                MessageContent.check("text", StringNode.valueOf(request.content()), properties.maxTextBytes());
        if (problem != null) {
            throw new ApiException(problem.code(), problem.detail());
        }
        if (message.recalledAt() != null) {
            throw new ApiException(ErrorCode.CONFLICT, "a recalled message cannot be edited");
        }
        Instant now = now();
        if (now.isAfter(message.sentAt().plus(properties.editWindow()))) {
            throw new ApiException(
                    ErrorCode.CONFLICT, "a message may be edited within " + properties.editWindow() + " of being sent");
        }
        publisher.publish(new ConversationRecord.MessageEdited(
                UUID.randomUUID().toString(),
                message.conversation(),
                messageId,
                caller.userId(),
                request.content(),
                now));
        return new Edited(messageId, now);
    }

    @DeleteMapping("/v1/messages/{messageId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String messageId) {
        MessageRepository.StoredMessage message = target(caller, messageId);
        publisher.publish(
                new ConversationRecord.MessageDeleted(message.conversation(), messageId, caller.userId(), now()));
    }

    @PutMapping("/v1/messages/{messageId}/reactions/{emoji}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void react(Caller caller, @PathVariable String messageId, @PathVariable String emoji) {
        react(caller, messageId, emoji, true);
    }

    @DeleteMapping("/v1/messages/{messageId}/reactions/{emoji}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void unreact(Caller caller, @PathVariable String messageId, @PathVariable String emoji) {
        react(caller, messageId, emoji, false);
    }

    private void react(Caller caller, String messageId, String emoji, boolean added) {
        if (!Text.isWellFormed(emoji)
                || emoji.codePointCount(0, emoji.length()) > Records.MAX_EMOJI_CHARS
                || !reaction.matcher(emoji).matches()) {
            throw ApiException.invalid("emoji: 1-" + Records.MAX_EMOJI_CHARS
                    + " characters without spaces or control characters (percent-encoded in the path)");
        }
        MessageRepository.StoredMessage message = changeable(caller, messageId);
        publisher.publish(new ConversationRecord.ReactionChanged(
                UUID.randomUUID().toString(), message.conversation(), messageId, caller.userId(), emoji, added, now()));
    }

    /** The stored message, if the caller may see it; otherwise 404, disclosing nothing. */
    private MessageRepository.StoredMessage target(Caller caller, String messageId) {
        return access.visible(caller.userId(), messageId)
                .orElseThrow(() -> ApiException.notFound("no message '" + messageId + "'"));
    }

    /** A message the caller may change: one of a conversation that still takes changes (a dissolved group takes none). */
    private MessageRepository.StoredMessage changeable(Caller caller, String messageId) {
        MessageRepository.StoredMessage message = target(caller, messageId);
        if (!access.isOpen(message)) {
            throw ApiException.notFound("no message '" + messageId + "' that can change: its group is dissolved");
        }
        return message;
    }

    private static void requireSender(Caller caller, MessageRepository.StoredMessage message, String what) {
        if (!message.from().equals(caller.userId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only the sender may " + what + " a message");
        }
    }

    /** Millisecond precision, as stored. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    record Edit(@NotNull String content) {}

    record Recalled(String messageId, Instant recalledAt) {}

    record Edited(String messageId, Instant editedAt) {}
}
