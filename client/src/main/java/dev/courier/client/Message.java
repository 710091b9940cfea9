package dev.courier.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A message as it arrived in this user's inbox, or as history holds it, in its state when it was read: an edited
 * message has the last edit's text and {@code editedAt}; a recalled one has {@link Content.Recalled} content.
 * <p>
 * A lifecycle entry is a message too: its content is a {@link Content.Change} of an earlier message, its
 * {@link #target()} ({@link #isChange()} tells them apart). Sync hands entries over in order with the messages; apply
 * each to the message held with {@link #apply(Message)}, and hide the target of a {@link Content.Delete}. History
 * never lists entries.
 *
 * @param seq its position in the inbox: strictly increasing in the order messages are handed over; 0 for a message
 *        from {@link CourierClient#history history}, which is not an inbox entry
 * @param conversation {@code g:<groupId>}, or {@code d:<a>:<b>} for the direct chat of users a and b
 * @param convSeq its number in the conversation (1, 2, 3, ... in the conversation's order; a user who was not always
 *        a member sees gaps); 0 for an entry that is this user's alone and has none (a delete)
 * @param from the sender's user id (this user for what its other devices sent); of an entry, who made the change
 * @param sentAt when the gateway accepted it; of an entry, when the change was made
 * @param replyTo the message id of the message this one replies to, or null
 * @param editedAt when it was last edited, or null
 * @param reactions each emoji and the users who reacted with it, in the order they did; only history lists them (a
 *        message from sync has none until reaction entries are applied to it)
 */
public record Message(
        long seq,
        String messageId,
        String clientMsgId,
        String conversation,
        long convSeq,
        String from,
        Content content,
        Instant sentAt,
        @Nullable String replyTo,
        @Nullable Instant editedAt,
        Map<String, List<String>> reactions) {

    public Message {
        reactions = copy(reactions);
    }

    /** A message that replies to nothing, was never edited and has no reactions. */
    public Message(
            long seq,
            String messageId,
            String clientMsgId,
            String conversation,
            long convSeq,
            String from,
            Content content,
            Instant sentAt) {
        this(seq, messageId, clientMsgId, conversation, convSeq, from, content, sentAt, null, null, Map.of());
    }

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

    /** Whether this is a lifecycle entry: a {@link Content.Change} of the message {@link #target()}. */
    public boolean isChange() {
        return content instanceof Content.Change;
    }

    /** The message id an entry changes, or null when this is not a lifecycle entry. */
    public @Nullable String target() {
        return content instanceof Content.Change change ? change.target() : null;
    }

    /**
     * Whether this is a system message: a change to a group ({@link Content.SystemEvent}) made by {@link #from()}.
     * Show it as an event line rather than as something a person said; it never counts as unread.
     */
    public boolean isSystem() {
        return content instanceof Content.SystemEvent;
    }

    /** Whether its sender recalled it (its content is then {@link Content.Recalled}). */
    public boolean recalled() {
        return content instanceof Content.Recalled;
    }

    /** Whether it was edited. */
    public boolean edited() {
        return editedAt != null;
    }

    /**
     * This message as {@code change}, a lifecycle entry for it, leaves it: recalled, with the edit's text, or with the
     * reaction added or taken back. Anything else (another message's entry, a message that is no entry, a
     * {@link Content.Delete}, which hides the message rather than changing it) leaves it as it is. Applying an entry
     * again changes nothing more.
     */
    public Message apply(Message change) {
        if (!(change.content instanceof Content.Change what) || !what.target().equals(messageId)) {
            return this;
        }
        return switch (what) {
            case Content.Recall recall ->
                recalled() ? this : with(new Content.Recalled(content.kind()), editedAt, reactions);
            case Content.Edit edit ->
                content instanceof Content.Text
                        ? with(new Content.Text(edit.text()), change.sentAt(), reactions)
                        : this; // a recalled or non-text message is never edited
            case Content.Reaction reaction -> with(content, editedAt, react(reaction, change.from()));
            case Content.Delete delete -> this;
        };
    }

    /**
     * The text of a text message, what a system message says happened ({@code alice renamed the group to "Launch"}),
     * or a short description of anything else.
     */
    public String text() {
        return text(content, from);
    }

    static String text(Content content, String from) {
        return switch (content) {
            case Content.SystemEvent event -> event.describe(from);
            case Content.Text text -> text.text();
            case Content.Media media ->
                "[" + media.kind() + " " + media.url() + " " + media.mime() + " " + media.size() + " bytes]";
            case Content.Recalled recalled -> "[message recalled]";
            case Content.Recall recall -> "[recall of " + recall.target() + "]";
            case Content.Edit edit -> "[edit of " + edit.target() + ": " + edit.text() + "]";
            case Content.Delete delete -> "[delete of " + delete.target() + " for me]";
            case Content.Reaction reaction ->
                "[" + reaction.emoji() + (reaction.added() ? " to " : " taken back from ") + reaction.target() + "]";
            case Content.Other other -> "[" + other.kind() + " " + other.json() + "]";
        };
    }

    private Message with(Content newContent, @Nullable Instant newEditedAt, Map<String, List<String>> newReactions) {
        return new Message(
                seq,
                messageId,
                clientMsgId,
                conversation,
                convSeq,
                from,
                newContent,
                sentAt,
                replyTo,
                newEditedAt,
                newReactions);
    }

    private Map<String, List<String>> react(Content.Reaction reaction, String userId) {
        Map<String, List<String>> changed = new LinkedHashMap<>(reactions);
        List<String> users = new ArrayList<>(changed.getOrDefault(reaction.emoji(), List.of()));
        if (reaction.added() && !users.contains(userId)) {
            users.add(userId);
        } else if (!reaction.added()) {
            users.remove(userId);
        }
        if (users.isEmpty()) {
            changed.remove(reaction.emoji());
        } else {
            changed.put(reaction.emoji(), users);
        }
        return changed;
    }

    /** Unmodifiable, in the order given. */
    private static Map<String, List<String>> copy(Map<String, List<String>> reactions) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        reactions.forEach((emoji, users) -> copy.put(emoji, List.copyOf(users)));
        return Collections.unmodifiableMap(copy);
    }
}
