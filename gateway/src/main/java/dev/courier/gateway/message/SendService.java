package dev.courier.gateway.message;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Address;
import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.Ids;
import dev.courier.common.MessageContent;
import dev.courier.common.MessageId;
import dev.courier.gateway.ConversationPublisher;
import dev.courier.gateway.GatewayProperties;
import dev.courier.gateway.RateLimiter;
import dev.courier.store.GroupRepository;
import dev.courier.store.MessageRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;

/**
 * Accepts sends, from REST and from the gateway WebSocket alike: validates at the edge, then returns once the message
 * is durably in the log. The message id is derived from {@code (sender, clientMsgId)}, so a retry through any gateway
 * gets the same id and the fanout-worker delivers the message once.
 */
@Service
public class SendService {

    private final ConversationPublisher publisher;

    private final MessageAccess access;

    private final MessageRepository messages;

    private final GatewayProperties properties;

    private final Clock clock;

    private final RateLimiter limits;

    private final MeterRegistry meters;

    SendService(
            ConversationPublisher publisher,
            MessageRepository messages,
            MessageAccess access,
            GatewayProperties properties,
            Clock clock,
            RateLimiter limits,
            MeterRegistry meters) {
        this.limits = limits;
        this.meters = meters;
        this.publisher = publisher;
        this.messages = messages;
        this.access = access;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * @throws ApiException with the code to answer when the send is refused or the log is unavailable
     */
    public Accepted send(Caller caller, Send request) {
        try {
            return sendAsync(caller, request).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof ApiException api ? api : e;
        }
    }

    /**
     * Validates the send now (throwing {@link ApiException} when it is refused) and returns a future of its acceptance,
     * which fails with {@code 503 unavailable} when the log does not acknowledge it. Sends started one after the other
     * from one thread keep their order in the log.
     */
    public CompletableFuture<Accepted> sendAsync(Caller caller, Send request) {
        Timer.Sample sample = Timer.start(meters);
        try {
            return accept(caller, request).whenComplete((accepted, failure) -> {
                String result = failure == null
                        ? "accepted"
                        : failure.getCause() instanceof ApiException api
                                ? api.code().code()
                                : "unavailable";
                meters.counter("courier.gateway.sends", "result", result).increment();
                if (failure == null) {
                    sample.stop(meters.timer("courier.gateway.send.latency"));
                }
            });
        } catch (ApiException e) {
            meters.counter("courier.gateway.sends", "result", e.code().code()).increment();
            throw e;
        }
    }

    private CompletableFuture<Accepted> accept(Caller caller, Send request) {
        Address to = parseAddress(request.to());
        MessageContent.Problem problem =
                MessageContent.check(request.kind(), request.content(), properties.maxTextBytes());
        if (problem != null) {
            throw new ApiException(problem.code(), problem.detail());
        }
        // MessageContent.check refuses a missing content
        JsonNode content = Objects.requireNonNull(request.content());
        String replyTo = request.replyTo();
        if (replyTo != null) {
            String conversation = to.conversationFrom(caller.userId()).value();
            boolean found = access.visible(caller.userId(), replyTo)
                    .filter(message -> message.conversation().equals(conversation))
                    .isPresent();
            if (!found) {
                throw ApiException.invalid(
                        "replyTo: no message '" + replyTo + "' of " + conversation + " that you may see");
            }
        }
        String messageId = MessageId.forSend(caller.userId(), request.clientMsgId());
        MessageRepository.SendCheck checked = switch (to) {
            case Address.User user -> messages.checkDirectSend(messageId, caller.userId(), user.userId());
            case Address.Group group -> messages.checkGroupSend(messageId, group.groupId(), caller.userId());
        };
        if (checked.storedAt() != null) {
            // a retry of a send that already went through: same answer, nothing sent again
            // (and it takes no token: a client retrying what went through must not be refused for its own retry)
            return CompletableFuture.completedFuture(
                    new Accepted(messageId, request.clientMsgId(), Instant.ofEpochMilli(checked.storedAt())));
        }
        limits.takeSend(caller.userId());
        switch (to) {
            case Address.User user -> {
                if (user.userId().equals(caller.userId())) {
                    throw ApiException.invalid("to: a direct message needs another user");
                }
                if (!checked.targetExists()) {
                    throw ApiException.notFound("to: no user '" + user.userId() + "'");
                }
                if (checked.blocked()) {
                    throw new ApiException(ErrorCode.BLOCKED, "u:" + user.userId() + " does not take your messages");
                }
            }
            case Address.Group group -> {
                if (!checked.targetExists() || checked.dissolved()) {
                    throw ApiException.notFound("to: no group '" + group.groupId() + "'");
                }
                if (!checked.memberNow()) {
                    throw new ApiException(ErrorCode.NOT_MEMBER, "you are not a member of g:" + group.groupId());
                }
                Long mutedUntil = checked.mutedUntil();
                if (mutedUntil != null && clock.millis() < mutedUntil) {
                    throw new ApiException(
                            ErrorCode.FORBIDDEN,
                            "you are muted in g:" + group.groupId()
                                    + (mutedUntil == GroupRepository.UNTIL_UNMUTED
                                            ? " until unmuted"
                                            : " until " + Instant.ofEpochMilli(mutedUntil)));
                }
                if (checked.groupMuted() && !checked.manager()) {
                    throw new ApiException(
                            ErrorCode.FORBIDDEN, "g:" + group.groupId() + " is muted: only the owner and admins send");
                }
            }
        }
        // millisecond precision, as stored: a retry is answered with exactly the same time
        Instant acceptedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return publisher
                .publishAsync(new ConversationRecord.MessagePosted(
                        messageId,
                        request.clientMsgId(),
                        to.conversationFrom(caller.userId()).value(),
                        caller.userId(),
                        request.kind(),
                        content,
                        acceptedAt,
                        null,
                        replyTo))
                .thenApply(ignored -> new Accepted(messageId, request.clientMsgId(), acceptedAt));
    }

    private static Address parseAddress(String to) {
        try {
            return Address.parse(to);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("to: " + e.getMessage());
        }
    }

    /** A send as the client wrote it. */
    public record Send(
            @NotNull @Pattern(regexp = "[\\x21-\\x7E]{1,64}", message = Ids.CLIENT_MSG_ID_RULE)
            String clientMsgId,

            @NotNull String to,
            @NotNull String kind,
            @Nullable JsonNode content,
            @Nullable String replyTo) {

        /** A send that replies to nothing. */
        public Send(String clientMsgId, String to, String kind, @Nullable JsonNode content) {
            this(clientMsgId, to, kind, content, null);
        }
    }

    /** The answer to an accepted send. */
    public record Accepted(String messageId, String clientMsgId, Instant acceptedAt) {}
}
