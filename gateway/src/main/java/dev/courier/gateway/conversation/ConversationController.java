package dev.courier.gateway.conversation;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.InboxRecord;
import dev.courier.gateway.ConversationPublisher;
import dev.courier.store.ConversationRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.store.MessageRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;
import dev.courier.web.ConversationView;

/**
 * The conversations of the caller (PROTOCOL.md, "Conversations"): the chat list with unread counts, one state, read
 * marking (ordered in the conversation's log), mutes (applied by the writer of the caller's inbox), and the
 * conversation's history as stored, for any device. A conversation the caller was never part of is {@code 404}: its
 * existence is not disclosed.
 */
@RestController
class ConversationController {

    static final int DEFAULT_LIMIT = 50;

    static final int MAX_LIMIT = 200;

    private static final String CURSOR_PREFIX = "a";

    private final ConversationRepository conversations;

    private final MessageRepository messages;

    private final MembershipRepository memberships;

    private final ConversationPublisher publisher;

    private final Clock clock;

    ConversationController(
            ConversationRepository conversations,
            MessageRepository messages,
            MembershipRepository memberships,
            ConversationPublisher publisher,
            Clock clock) {
        this.conversations = conversations;
        this.messages = messages;
        this.memberships = memberships;
        this.publisher = publisher;
        this.clock = clock;
    }

    @GetMapping("/v1/conversations")
    ConversationList list(
            Caller caller,
            @RequestParam(required = false) @Nullable String limit,
            @RequestParam(required = false) @Nullable String before) {
        int size = limit(limit);
        long beforeSeq = before == null ? Long.MAX_VALUE : cursor(before);
        List<ConversationRepository.State> states = conversations.newest(caller.userId(), beforeSeq, size + 1);
        String next = null;
        if (states.size() > size) {
            states = states.subList(0, size);
            next = cursorOf(states.getLast().lastSeq());
        }
        return new ConversationList(states.stream().map(ConversationView::of).toList(), next);
    }

    @GetMapping("/v1/conversations/{conversation}")
    ConversationView get(Caller caller, @PathVariable String conversation) {
        return ConversationView.of(state(caller, conversation));
    }

    @PostMapping("/v1/conversations/{conversation}/read")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ReadAccepted read(Caller caller, @PathVariable String conversation, @Valid @RequestBody Read request) {
        ConversationRepository.State state = state(caller, conversation);
        long convSeq = request.convSeq();
        if (convSeq > state.lastConvSeq()) {
            throw ApiException.invalid("convSeq: " + convSeq + " is beyond the last message of " + conversation + " ("
                    + state.lastConvSeq() + ")");
        }
        publisher.publish(
                new ConversationRecord.ConversationRead(conversation, caller.userId(), convSeq, clock.instant()));
        return new ReadAccepted(conversation, Math.max(convSeq, state.readSeq()));
    }

    /**
     * Mutes or unmutes: the writer of the caller's inbox applies it within moments; the answer is the state with the
     * new mute (its {@code version} is the one before the change until the change is applied, as the next sync shows).
     */
    @PatchMapping("/v1/conversations/{conversation}")
    ConversationView mute(Caller caller, @PathVariable String conversation, @Valid @RequestBody Mute request) {
        ConversationRepository.State state = state(caller, conversation);
        if (request.muted() != state.muted()) {
            publisher.publish(new InboxRecord.Muted(caller.userId(), conversation, request.muted()));
        }
        ConversationView view = ConversationView.of(state);
        return new ConversationView(
                view.conversation(),
                view.lastConvSeq(),
                view.lastMessage(),
                view.readSeq(),
                view.unread(),
                view.peerReadSeq(),
                request.muted(),
                view.version());
    }

    @GetMapping("/v1/conversations/{conversation}/messages")
    History history(
            Caller caller,
            @PathVariable String conversation,
            @RequestParam(required = false) @Nullable String beforeSeq,
            @RequestParam(required = false) @Nullable String limit) {
        ConversationId id = partOf(caller, conversation);
        int size = limit(limit);
        long before = beforeSeq == null ? Long.MAX_VALUE : positive("beforeSeq", beforeSeq);
        List<MessageRepository.StoredMessage> newestFirst =
                messages.history(id.value(), caller.userId(), before, size + 1);
        boolean hasMore = newestFirst.size() > size;
        List<MessageView> page = new ArrayList<>(Math.min(size, newestFirst.size()));
        for (int i = Math.min(size, newestFirst.size()) - 1; i >= 0; i--) {
            page.add(MessageView.of(newestFirst.get(i)));
        }
        return new History(page, hasMore);
    }

    /** The caller's state of the conversation, or 404 when the caller has none. */
    private ConversationRepository.State state(Caller caller, String conversation) {
        ConversationId id = conversationId(conversation);
        return conversations
                .state(caller.userId(), id.value())
                .orElseThrow(() -> ApiException.notFound("no conversation '" + conversation + "'"));
    }

    /** The conversation, if the caller is or was part of it (a direct one of theirs, a group they were in). */
    private ConversationId partOf(Caller caller, String conversation) {
        ConversationId id = conversationId(conversation);
        boolean part = id.isGroup()
                ? memberships.wasEverMember(id.groupId(), caller.userId())
                : id.directUsers().contains(caller.userId());
        if (!part) {
            throw ApiException.notFound("no conversation '" + conversation + "'");
        }
        return id;
    }

    private static ConversationId conversationId(String conversation) {
        try {
            return ConversationId.parse(conversation);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no conversation '" + conversation + "'");
        }
    }

    private static int limit(@Nullable String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid("limit: must be an integer between 1 and " + MAX_LIMIT);
    }

    private static long positive(String name, String value) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid(name + ": must be a positive integer");
    }

    /** The cursor of the chat list: the activity position of the last state answered, opaque to clients. */
    private static String cursorOf(long lastSeq) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastSeq).getBytes(StandardCharsets.US_ASCII));
    }

    private static long cursor(String before) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(before), StandardCharsets.US_ASCII);
            if (text.startsWith(CURSOR_PREFIX)) {
                long seq = Long.parseLong(text.substring(CURSOR_PREFIX.length()));
                if (seq > 0) {
                    return seq;
                }
            }
        } catch (IllegalArgumentException e) {
            // answered below (NumberFormatException is one)
        }
        throw ApiException.invalid("before: not a cursor of this list (use the next of the last answer)");
    }

    record Read(@NotNull @PositiveOrZero Long convSeq) {}

    record ReadAccepted(String conversation, long readSeq) {}

    record Mute(@NotNull Boolean muted) {}

    record ConversationList(
            List<ConversationView> conversations, @Nullable String next) {}

    record History(List<MessageView> messages, boolean hasMore) {}
}
