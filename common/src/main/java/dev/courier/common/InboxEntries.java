package dev.courier.common;

import java.util.List;

/**
 * A record of {@link Topics#INBOX}: "enter this stored message in the inbox of each of these users". The expansion
 * stage writes one per message and inbox partition, holding the recipients whose inboxes that partition owns, so a
 * message to a group of 500 is a handful of records instead of 500 and each inbox still has exactly one writer. The
 * inbox writer also reads single {@link InboxEntry} records.
 */
public record InboxEntries(String messageId, String conversation, List<String> userIds) {

    public static final String TYPE = "inbox.entries";
}
