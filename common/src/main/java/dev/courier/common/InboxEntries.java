package dev.courier.common;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A record of {@link Topics#INBOX}: "enter this stored message in the inbox of each of these users". The expansion
 * stage writes one per message and inbox partition, holding the recipients whose inboxes that partition owns, so a
 * message to a group of 500 is a handful of records instead of 500 and each inbox still has exactly one writer. It
 * carries what the inbox writer needs for each recipient's conversation state: the message's number in its
 * conversation, its sender and its kind. The inbox writer also reads single {@link InboxEntry} records.
 *
 * @param convSeq the message's number in its conversation (0 in records written before conversations were numbered)
 * @param from the sender (null in such records)
 * @param kind the message's kind (null in such records)
 */
public record InboxEntries(
        String messageId,
        String conversation,
        List<String> userIds,
        long convSeq,
        @Nullable String from,
        @Nullable String kind) {

    public static final String TYPE = "inbox.entries";
}
