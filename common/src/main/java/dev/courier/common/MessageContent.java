package dev.courier.common;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The rules for a message's {@code kind} and {@code content} (PROTOCOL.md, "Gateway"): {@code text} carries a string of
 * at most {@code maxTextBytes} of UTF-8; {@code image}, {@code voice}, {@code video} and {@code file} carry a reference
 * object {@code {url, mime, size, ...}} whose bytes live elsewhere.
 */
public final class MessageContent {

    public static final Set<String> KINDS = Set.of("text", "image", "voice", "video", "file");

    /**
     * The kinds of the entries that change another message (they are applied to it, never listed in history, never
     * unread, never a conversation's last message).
     */
    public static final Set<String> LIFECYCLE_KINDS = Set.of("recall", "edit", "reaction", "delete");

    /** The kind of the entries that tell members of a change to their group (never unread). */
    public static final String SYSTEM = "system";

    /** Media references are small; anything bigger is not a reference. */
    public static final int MAX_MEDIA_JSON_BYTES = 4096;

    /** How deep a media reference may nest: a reference is flat, and a deep one could not be answered in a sync. */
    public static final int MAX_MEDIA_DEPTH = 8;

    private MessageContent() {}

    /** Whether a message of this kind from someone else counts as unread: a message people send, not an event. */
    public static boolean countsAsUnread(String kind) {
        return KINDS.contains(kind);
    }

    public static boolean isLifecycle(String kind) {
        return LIFECYCLE_KINDS.contains(kind);
    }

    /** Why the pair is unacceptable, naming the field, or {@code null} when it is fine. */
    public static @Nullable Problem check(String kind, @Nullable JsonNode content, int maxTextBytes) {
        if (!KINDS.contains(kind)) {
            return Problem.invalid("kind: must be one of text, image, voice, video, file");
        }
        if (content == null || content.isNull() || content.isMissingNode()) {
            return Problem.invalid("content: is required");
        }
        if (kind.equals("text")) {
            if (!content.isString()) {
                return Problem.invalid("content: must be a string for kind text");
            }
            String text = content.stringValue();
            if (text.isEmpty()) {
                return Problem.invalid("content: must not be empty");
            }
            if (!Text.isWellFormed(text)) {
                return Problem.invalid("content: is not well-formed Unicode (a lone surrogate)");
            }
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxTextBytes) {
                return Problem.tooLarge(
                        "content: text is " + bytes + " bytes of UTF-8, at most " + maxTextBytes + " are allowed");
            }
            return null;
        }
        if (!content.isObject()) {
            return Problem.invalid("content: must be an object {url, mime, size} for kind " + kind);
        }
        JsonNode url = content.get("url");
        if (url == null
                || !url.isString()
                || url.stringValue().isBlank()
                || url.stringValue().length() > 2048) {
            return Problem.invalid("content.url: must be a non-empty string of at most 2048 characters");
        }
        JsonNode mime = content.get("mime");
        if (mime == null
                || !mime.isString()
                || mime.stringValue().isBlank()
                || mime.stringValue().length() > 255) {
            return Problem.invalid("content.mime: must be a non-empty string of at most 255 characters");
        }
        JsonNode size = content.get("size");
        if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
            return Problem.invalid("content.size: must be a non-negative integer (bytes)");
        }
        if (depth(content) > MAX_MEDIA_DEPTH) {
            return Problem.invalid("content: a media reference may nest at most " + MAX_MEDIA_DEPTH + " levels");
        }
        if (!wellFormed(content)) {
            return Problem.invalid("content: is not well-formed Unicode (a lone surrogate)");
        }
        if (content.toString().getBytes(StandardCharsets.UTF_8).length > MAX_MEDIA_JSON_BYTES) {
            return Problem.tooLarge("content: a media reference may take at most " + MAX_MEDIA_JSON_BYTES + " bytes");
        }
        return null;
    }

    private static int depth(JsonNode node) {
        int deepest = 0;
        for (JsonNode child : node) {
            deepest = Math.max(deepest, depth(child));
            if (deepest > MAX_MEDIA_DEPTH) {
                break;
            }
        }
        return deepest + (node.isContainer() ? 1 : 0);
    }

    private static boolean wellFormed(JsonNode node) {
        if (node.isString()) {
            return Text.isWellFormed(node.stringValue());
        }
        for (var field : node.properties()) {
            if (!Text.isWellFormed(field.getKey()) || !wellFormed(field.getValue())) {
                return false;
            }
        }
        for (JsonNode child : node.isArray() ? node : List.<JsonNode>of()) {
            if (!wellFormed(child)) {
                return false;
            }
        }
        return true;
    }

    /** A rejected content, with the code to answer with. */
    public record Problem(ErrorCode code, String detail) {

        static Problem invalid(String detail) {
            return new Problem(ErrorCode.INVALID_REQUEST, detail);
        }

        static Problem tooLarge(String detail) {
            return new Problem(ErrorCode.PAYLOAD_TOO_LARGE, detail);
        }
    }
}
