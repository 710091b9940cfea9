package dev.courier.client;

import org.jspecify.annotations.Nullable;

/**
 * What a group administration or block call answered. Such a change travels the log and is decided at its point
 * there; the call waits for that decision. {@link #applied()}: it was decided and took effect, and this user's next
 * read includes it (a refusal decided in the log is a {@link CourierException} instead, with its code). Otherwise it
 * is {@link #pending()}: the server did not learn the outcome within its change timeout (its pipeline is down or far
 * behind); the change is in the log all the same and takes effect at its point there, which the groups of a later
 * sync delta and the group's system messages show.
 *
 * @param eventId the change's id in the log when pending, else null
 * @param group the group after the change, for the calls that answer it ({@link CourierClient#updateGroup},
 *        {@link CourierClient#transferOwnership}) when applied, else null
 */
public record ChangeOutcome(
        boolean applied, @Nullable String eventId, @Nullable Group group) {

    static ChangeOutcome done(@Nullable Group group) {
        return new ChangeOutcome(true, null, group);
    }

    static ChangeOutcome inTheLog(String eventId) {
        return new ChangeOutcome(false, eventId, null);
    }

    /** Whether the change is in the log but its outcome was not known in time (HTTP 202). */
    public boolean pending() {
        return !applied;
    }
}
