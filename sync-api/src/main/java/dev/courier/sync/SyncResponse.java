package dev.courier.sync;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.courier.web.ConversationView;
import dev.courier.web.GroupView;

/**
 * The answer of a sync (PROTOCOL.md, "Sync API"): only what changed after the presented key, and the key that
 * acknowledges it.
 *
 * @param resync true when the presented key could not be served exactly; the delta is then a first sync
 */
public record SyncResponse(
        String syncKey,
        boolean hasMore,
        boolean resync,
        @Nullable AccountView account,
        List<Contact> contacts,
        List<ConversationView> conversations,
        List<GroupView> groups,
        List<Message> messages) {

    /** Whether nothing changed after the key. */
    boolean isEmpty() {
        return !resync
                && account == null
                && contacts.isEmpty()
                && conversations.isEmpty()
                && groups.isEmpty()
                && messages.isEmpty();
    }

    public record AccountView(String userId, @Nullable String displayName, long version) {}

    public record Contact(String userId, @Nullable String alias, boolean deleted, long version) {}

    /**
     * An inbox entry in its current state: {@code convSeq} is absent for an entry that is the user's alone (a delete
     * for me); {@code replyTo} is the message it replies to or null; an edited message has the last edit's content and
     * {@code editedAt}; a recalled message has {@code recalled: true} and content null.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(
            long seq,
            String messageId,
            String clientMsgId,
            String conversation,
            @Nullable Long convSeq,
            String from,
            String kind,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable
            JsonNode content,

            Instant sentAt,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable
            String replyTo,

            @Nullable Instant editedAt,
            @Nullable Boolean recalled) {}
}
