package dev.courier.sync;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

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
        List<Message> messages) {

    /** Whether nothing changed after the key. */
    boolean isEmpty() {
        return !resync && account == null && contacts.isEmpty() && messages.isEmpty();
    }

    public record AccountView(String userId, @Nullable String displayName, long version) {}

    public record Contact(String userId, @Nullable String alias, boolean deleted, long version) {}

    public record Message(
            long seq,
            String messageId,
            String clientMsgId,
            String conversation,
            String from,
            String kind,
            JsonNode content,
            Instant sentAt) {}
}
