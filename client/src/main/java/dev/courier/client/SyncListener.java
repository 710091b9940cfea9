package dev.courier.client;

import java.util.List;

/**
 * Receives what the sync loop fetched. Calls come from the loop's one thread, one at a time, in order.
 * <p>
 * Messages are handed over in {@code seq} order, each once: the loop stores the new sync key only after
 * {@link #onMessages}, {@link #onConversations} and {@link #onGroups} returned for the whole delta, so a restarted client resumes after
 * the last delta handed over. If the process dies after the listener returned but before the key is written, that one
 * delta is handed over again after the restart; a listener that must never see a message twice across crashes keeps
 * the ids it has seen. If the listener throws, nothing is acknowledged and the same delta is handed over again after a
 * back-off.
 */
@FunctionalInterface
public interface SyncListener {

    /**
     * New messages, in {@code seq} order; never empty. System messages ({@link Message#isSystem()}: a change to a
     * group, as a {@link Content.SystemEvent}) come among them in the group's order. Lifecycle entries come among them, after the message they
     * change: a {@link Message#isChange()} entry's content is a {@link Content.Change} of its {@link Message#target()}
     * (a recall, an edit, a reaction; a delete for this user, which hides the target), to apply to the message held
     * with {@link Message#apply(Message)}. A message that changed before it was handed over arrives in its current
     * state (the edited text, {@link Content.Recalled} content), possibly followed by the entry that changed it, which
     * applied again changes nothing.
     */
    void onMessages(List<Message> messages);

    /**
     * Conversation states that changed (a new message, a read on another device, the peer's read receipt, a mute),
     * each whole; called after {@link #onMessages} for the same delta. The first sync (and a resync) lists the user's
     * most recently active conversations (up to the server's limit, 500 by default; {@link CourierClient#conversations}
     * pages through all). Replace the state held for each conversation; never empty.
     */
    default void onConversations(List<Conversation> conversations) {}

    /**
     * Groups of this user that changed (members, name, announcement, group mute, admins, owner, dissolving), each once
     * and whole as it is now; called after {@link #onConversations} for the same delta, whose messages include the
     * system message of each change. A group this user left or was removed from comes once with
     * {@link Group#left()} (only its id, name and version known), a dissolved one whole with {@link Group#dissolved()}.
     * The first sync (and a resync) lists every group the user is in now. Replace the group held (or drop it when
     * left); never empty.
     */
    default void onGroups(List<Group> groups) {}

    /**
     * The server could not continue from the stored key (its store was reset or restored): what the client holds
     * locally should be replaced. The messages that follow start afresh from the server's most recent ones.
     */
    default void onResync() {}

    /**
     * The loop hit an error it will retry after a back-off (for example the credentials were refused); for display
     * and logging. Network failures are not reported here: they are the normal weather of the loop.
     */
    default void onError(CourierException error) {}
}
