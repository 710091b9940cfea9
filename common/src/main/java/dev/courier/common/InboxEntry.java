package dev.courier.common;

/**
 * A record of {@link Topics#INBOX}, keyed by {@link #userId()}: "enter this stored message in this user's inbox". The
 * message body is stored once by the expansion stage; the entry only points at it.
 */
public record InboxEntry(String userId, String messageId, String conversation) {

    public static final String TYPE = "inbox.entry";
}
