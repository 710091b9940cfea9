package dev.courier.common;

/**
 * A record of {@link Topics#PUSH}, keyed by {@code userId}: the inbox writer entered a message in the user's inbox
 * that may call for a push to the user's devices that are offline (PROTOCOL.md, "Pushes to offline devices"). Written
 * after the inbox commit and before the writer's offsets move, so at least once (a redelivered batch publishes its
 * candidates again), and only for what pushes: a message people send ({@link MessageContent#countsAsUnread}) from
 * someone else, in a conversation the user has not muted, to a user with a push token.
 *
 * @param seq the entry's seq in the user's inbox
 * @param badge the sum of the user's unread counts once the batch was written
 * @param committedAt when the inbox batch committed, in epoch milliseconds (the start of the push latency)
 */
public record PushCandidate(
        String userId,
        long seq,
        String messageId,
        String conversation,
        String from,
        String kind,
        long badge,
        long committedAt) {

    public static final String TYPE = "push.candidate";
}
