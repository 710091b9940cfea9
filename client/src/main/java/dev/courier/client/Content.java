package dev.courier.client;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a message carries: {@link Text}, or a {@link Media} reference whose bytes are stored elsewhere. A message its
 * sender recalled carries {@link Recalled} instead. A lifecycle entry carries a {@link Change} of an earlier message
 * ({@link Recall}, {@link Edit}, {@link Delete}, {@link Reaction}). A kind this client does not know is received as
 * {@link Other}, so newer senders never break it. Only {@link Text}, {@link Media} and {@link Other} can be sent.
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

    /** Content of a kind this client does not know, as its JSON text. */
    record Other(String kind, String json) implements Content {}
}
