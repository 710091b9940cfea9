package dev.courier.client;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One page of the chat list, newest activity first.
 *
 * @param next the cursor of the following (older) page, for {@link CourierClient#conversations(int, String)}; null
 *        on the last page
 */
public record ConversationPage(
        List<Conversation> conversations, @Nullable String next) {

    public ConversationPage {
        conversations = List.copyOf(conversations);
    }
}
