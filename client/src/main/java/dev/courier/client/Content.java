package dev.courier.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What a message carries: {@link Text}, or a {@link Media} reference whose bytes are stored elsewhere. A message its
 * sender recalled carries {@link Recalled} instead. A lifecycle entry carries a {@link Change} of an earlier message
 * ({@link Recall}, {@link Edit}, {@link Delete}, {@link Reaction}). A system message (kind {@code system}) carries a
 * {@link SystemEvent}: a change to a group ({@link GroupCreated}, {@link MembersAdded}, {@link MemberRemoved},
 * {@link GroupUpdated}, {@link AdminChanged}, {@link OwnerChanged}, {@link GroupDissolved}, or an event this client
 * does not know, {@link UnknownEvent}). A kind this client does not know is received as {@link Other}, so newer
 * senders never break it. Only {@link Text}, {@link Media} and {@link Other} can be sent.
 */
public sealed interface Content {

    /** The media kinds of PROTOCOL.md. */
    Set<String> MEDIA_KINDS = Set.of("image", "voice", "video", "file");

    /** The message's {@code kind}: {@code text}, {@code image}, {@code voice}, {@code video} or {@code file}. */
    String kind();

    static Text text(String text) {
        return new Text(text);
    }

    static Media media(String kind, String url, String mime, long size) {
        return new Media(kind, url, mime, size, Map.of());
    }

    /** A text message, at most 16 KiB of UTF-8 by the server's default. */
    record Text(String text) implements Content {

        public Text {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String kind() {
            return "text";
        }
    }

    /**
     * A reference to media: {@code {url, mime, size, ...}}.
     *
     * @param size in bytes
     * @param extra further fields of the reference (thumbnail, duration, ...), as JSON-compatible values
     */
    record Media(String kind, String url, String mime, long size, Map<String, Object> extra) implements Content {

        public Media {
            if (!MEDIA_KINDS.contains(kind)) {
                throw new IllegalArgumentException("kind: must be one of " + MEDIA_KINDS + ", not " + kind);
            }
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(mime, "mime");
            extra = Map.copyOf(extra);
        }
    }

    /**
     * What is left of a recalled message: nothing but its kind.
     *
     * @param kind the kind the message had ({@code text}, {@code image}, ...)
     */
    record Recalled(String kind) implements Content {}

    /**
     * The content of a lifecycle entry: a change of the earlier message {@link #target()} of the same conversation.
     * Apply it to the message held with {@link Message#apply(Message)}.
     */
    sealed interface Change extends Content {

        /** The message id of the message changed. */
        String target();
    }

    /** The sender recalled the target: it shows no content any more, for everyone who saw it. */
    record Recall(String target) implements Change {

        @Override
        public String kind() {
            return "recall";
        }
    }

    /** The sender edited the target, a text message: {@code text} replaces its text. */
    record Edit(String target, String text) implements Change {

        @Override
        public String kind() {
            return "edit";
        }
    }

    /** This user deleted the target for themselves: it is hidden on all of this user's devices (others keep it). */
    record Delete(String target) implements Change {

        @Override
        public String kind() {
            return "delete";
        }
    }

    /**
     * The sender of this entry added ({@code added}) or took back a reaction to the target.
     *
     * @param emoji the reaction, for example {@code 👍}
     */
    record Reaction(String target, String emoji, boolean added) implements Change {

        @Override
        public String kind() {
            return "reaction";
        }
    }

    /**
     * The content of a system message: a change to a group, made by the message's sender ({@link Message#from()}),
     * entered in every member's inbox with a {@code convSeq} in the group's log. System messages are never unread and
     * cannot be replied to, reacted to, recalled or edited. {@link Message#text()} says what happened in words:
     * {@code alice renamed the group to "Launch"}.
     */
    sealed interface SystemEvent extends Content {

        /** The event's name on the wire, for example {@code group.updated}. */
        String event();

        @Override
        default String kind() {
            return "system";
        }

        /**
         * What happened, in words, made by the user {@code by}: {@code alice renamed the group to "Launch"},
         * {@code bob left}.
         */
        String describe(String by);
    }

    /** {@code group.created}: the group's first message ({@code convSeq} 1), to its first members. */
    record GroupCreated(String name, List<String> members) implements SystemEvent {

        public GroupCreated {
            members = List.copyOf(members);
        }

        @Override
        public String event() {
            return "group.created";
        }

        @Override
        public String describe(String by) {
            List<String> others = new ArrayList<>(members);
            others.remove(by);
            return by + " created the group \"" + name + "\""
                    + (others.isEmpty() ? "" : " with " + String.join(", ", others));
        }
    }

    /**
     * {@code members.added}: the users who were not members yet joined; a bridge identity that joins on its own is
     * its own sender.
     */
    record MembersAdded(List<String> userIds) implements SystemEvent {

        public MembersAdded {
            userIds = List.copyOf(userIds);
        }

        @Override
        public String event() {
            return "members.added";
        }

        @Override
        public String describe(String by) {
            return userIds.equals(List.of(by)) ? by + " joined" : by + " added " + String.join(", ", userIds);
        }
    }

    /** {@code member.removed}: the user was removed, or left (then the sender is the user itself). */
    record MemberRemoved(String userId) implements SystemEvent {

        @Override
        public String event() {
            return "member.removed";
        }

        @Override
        public String describe(String by) {
            return userId.equals(by) ? by + " left" : by + " removed " + userId;
        }
    }

    /**
     * {@code group.updated}: only the fields that changed are set.
     *
     * @param name the new name, or null when unchanged
     * @param announcement the new announcement ({@code ""}: cleared), or null when unchanged
     * @param muted the new group mute, or null when unchanged
     */
    record GroupUpdated(
            @Nullable String name,
            @Nullable String announcement,
            @Nullable Boolean muted) implements SystemEvent {

        @Override
        public String event() {
            return "group.updated";
        }

        @Override
        public String describe(String by) {
            List<String> what = new ArrayList<>();
            if (name != null) {
                what.add("renamed the group to \"" + name + "\"");
            }
            if (announcement != null) {
                what.add(announcement.isEmpty() ? "cleared the announcement" : "announced \"" + announcement + "\"");
            }
            if (muted != null) {
                what.add(muted ? "muted the group (only the owner and admins send)" : "unmuted the group");
            }
            return by + " " + (what.isEmpty() ? "updated the group" : String.join(" and ", what));
        }
    }

    /** {@code admin.added} ({@code admin} true) or {@code admin.removed}: the owner named or demoted an admin. */
    record AdminChanged(String userId, boolean admin) implements SystemEvent {

        @Override
        public String event() {
            return admin ? "admin.added" : "admin.removed";
        }

        @Override
        public String describe(String by) {
            return by + (admin ? " made " + userId + " an admin" : " removed " + userId + " as admin");
        }
    }

    /** {@code owner.changed}: the owner handed the group to {@code userId} and stays as an admin. */
    record OwnerChanged(String userId) implements SystemEvent {

        @Override
        public String event() {
            return "owner.changed";
        }

        @Override
        public String describe(String by) {
            return by + " made " + userId + " the owner";
        }
    }

    /** {@code group.dissolved}: the owner ended the group; no more sends or changes, the history stays. */
    record GroupDissolved() implements SystemEvent {

        @Override
        public String event() {
            return "group.dissolved";
        }

        @Override
        public String describe(String by) {
            return by + " dissolved the group";
        }
    }

    /**
     * A system event this client does not know (or one without the fields it needs), kept readable.
     *
     * @param event its name, {@code ""} when it has none
     * @param json the whole content as JSON text
     */
    record UnknownEvent(String event, String json) implements SystemEvent {

        @Override
        public String describe(String by) {
            return by + " changed the group (" + (event.isEmpty() ? json : event) + ")";
        }
    }

    /** Content of a kind this client does not know, as its JSON text. */
    record Other(String kind, String json) implements Content {}
}
