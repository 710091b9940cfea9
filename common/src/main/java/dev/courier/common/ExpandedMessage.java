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
 * @param target for a recall or an edit, the message it changes (its content's {@code target})
 * @param convSeq the message's number in its conversation
 */
public record ExpandedMessage(
        String messageId,
        String conversation,
        String from,
        String kind,
        JsonNode content,
        Instant sentAt,
        @Nullable String origin,
        List<String> bridgeRecipients,
        @Nullable Target target,
        long convSeq) {

    public static final String TYPE = "message.expanded";

    /** A message that changes no other. */
    public ExpandedMessage(
            String messageId,
            String conversation,
            String from,
            String kind,
            JsonNode content,
            Instant sentAt,
            @Nullable String origin,
            List<String> bridgeRecipients) {
        this(messageId, conversation, from, kind, content, sentAt, origin, bridgeRecipients, null, 0);
    }

    /**
     * The message a recall or an edit changes, with what a bridge system knows it by: the system it came from and its
     * external id there (its client message id), or, for a message of Courier or of another system, its message id.
     */
    public record Target(String messageId, @Nullable String origin, String clientMsgId) {

        public String externalIdFor(String system) {
            return system.equals(origin) ? clientMsgId : messageId;
        }
    }
}
