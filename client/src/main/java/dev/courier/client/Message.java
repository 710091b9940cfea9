package dev.courier.client;

import java.time.Instant;

/**
 * A message as it arrived in this user's inbox, or as history holds it.
 *
 * @param seq its position in the inbox: strictly increasing in the order messages are handed over; 0 for a message
 *        from {@link CourierClient#history history}, which is not an inbox entry
 * @param conversation {@code g:<groupId>}, or {@code d:<a>:<b>} for the direct chat of users a and b
 * @param convSeq its number in the conversation (1, 2, 3, ... in the conversation's order; a user who was not always
 *        a member sees gaps); 0 for an entry that is this user's alone and has none
 * @param from the sender's user id (this user for what its other devices sent)
 * @param sentAt when the gateway accepted it
 */
public record Message(
        long seq,
        String messageId,
        String clientMsgId,
        String conversation,
        long convSeq,
        String from,
        Content content,
        Instant sentAt) {

    /** A message without a {@code convSeq}, as servers before conversation numbering sent it. */
    public Message(
            long seq,
            String messageId,
            String clientMsgId,
            String conversation,
            String from,
            Content content,
            Instant sentAt) {
        this(seq, messageId, clientMsgId, conversation, 0, from, content, sentAt);
    }

    /** The text of a text message, or a short description of anything else. */
    public String text() {
        return text(content);
    }

    static String text(Content content) {
        return switch (content) {
            case Content.Text text -> text.text();
            case Content.Media media ->
                "[" + media.kind() + " " + media.url() + " " + media.mime() + " " + media.size() + " bytes]";
            case Content.Other other -> "[" + other.kind() + " " + other.json() + "]";
        };
    }
}
