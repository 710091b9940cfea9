package dev.courier.common;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A record of {@link Topics#EXPANDED}, keyed by conversation: a message that the expansion stage stored and entered in
 * the inboxes of its recipients, some of them bridge identities. It is published after the stage's database commit
 * and before its offsets move, so every such message is announced at least once, in the order of its conversation;
 * the bridge outbound reads these instead of guessing from the conversation log. A message the stage rejects is
 * dead-lettered and never announced.
 *
 * @param bridgeRecipients the recipients that are bridge identities ({@code <system>.<externalUser>})
 */
public record ExpandedMessage(
        String messageId,
        String conversation,
        String from,
        String kind,
        JsonNode content,
        Instant sentAt,
        @Nullable String origin,
        List<String> bridgeRecipients) {

    public static final String TYPE = "message.expanded";
}
