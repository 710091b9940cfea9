package dev.courier.client;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One page of a conversation's history: messages in ascending {@code convSeq} (their {@code seq} is 0: history is not
 * the inbox).
 *
 * @param hasMore whether older messages exist
 */
public record HistoryPage(List<Message> messages, boolean hasMore) {

    public HistoryPage {
        messages = List.copyOf(messages);
    }

    /** The {@code beforeSeq} of the next older page, or null when there is none. */
    public @Nullable Long olderBeforeSeq() {
        return hasMore && !messages.isEmpty() ? messages.getFirst().convSeq() : null;
    }
}
