package dev.courier.client;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a message carries: {@link Text}, or a {@link Media} reference whose bytes are stored elsewhere. A kind this
 * client does not know is received as {@link Other}, so newer senders never break it.
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

    /** Content of a kind this client does not know, as its JSON text. */
    record Other(String kind, String json) implements Content {}
}
