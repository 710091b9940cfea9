package dev.courier.sync;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

/**
 * The answer of a sync (PROTOCOL.md, "Sync API"): only what changed after the presented key, and the key that
 * acknowledges it.
 *
 * @param resync true when the presented key could not be served exactly (another epoch); the delta then starts afresh
 */
record SyncResponse(String syncKey, boolean hasMore, boolean resync, @Nullable AccountView account,
        List<Contact> contacts, List<Message> messages) {

    record AccountView(String userId, @Nullable String displayName, long version) {
    }

    record Contact(String userId, @Nullable String alias, boolean deleted, long version) {
    }

    record Message(long seq, String messageId, String clientMsgId, String conversation, String from, String kind,
            JsonNode content, Instant sentAt) {
    }
}
