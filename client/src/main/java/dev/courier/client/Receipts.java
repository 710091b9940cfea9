package dev.courier.client;

import java.util.List;

/**
 * Who of the other members (as of the message, its sender left out) has read up to a message.
 *
 * @param readBy the members whose {@code readSeq} reached the message's {@code convSeq}
 * @param unreadBy the others
 */
public record Receipts(
        String messageId, String conversation, long convSeq, List<String> readBy, List<String> unreadBy) {

    public Receipts {
        readBy = List.copyOf(readBy);
        unreadBy = List.copyOf(unreadBy);
    }
}
