package dev.courier.client;

import java.time.Instant;

/**
 * A message as it arrived in this user's inbox.
 *
 * @param seq its position in the inbox: strictly increasing in the order messages are handed over
 * @param conversation {@code g:<groupId>}, or {@code d:<a>:<b>} for the direct chat of users a and b
 * @param from the sender's user id (this user for what its other devices sent)
 * @param sentAt when the gateway accepted it
 */
public record Message(
        long seq,
        String messageId,
        String clientMsgId,
        String conversation,
        String from,
        Content content,
        Instant sentAt) {

    /** The text of a text message, or a short description of anything else. */
    public String text() {
        return switch (content) {
            case Content.Text text -> text.text();
            case Content.Media media ->
                "[" + media.kind() + " " + media.url() + " " + media.mime() + " " + media.size() + " bytes]";
            case Content.Other other -> "[" + other.kind() + " " + other.json() + "]";
        };
    }
}
