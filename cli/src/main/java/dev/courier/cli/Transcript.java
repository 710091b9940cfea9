package dev.courier.cli;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.courier.client.Content;
import dev.courier.client.Message;

/**
 * How messages and lifecycle entries read in a terminal. It remembers the messages it was shown (the most recent
 * {@value #REMEMBERED}) and keeps them in their current state by applying the entries that follow, so that a reply can
 * quote its target and a change can say what it changed: {@code ↪ "coffee at 8?" yes}, {@code alice edited "coffee at
 * 8?": coffee at 9?}. A target it never saw is named by its message id.
 */
final class Transcript {

    static final int REMEMBERED = 10_000;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    private static final int QUOTED_WORDS = 6;

    private static final int QUOTED_CHARS = 40;

    private final boolean ids;

    /** By message id, least recently shown first. */
    private final Map<String, Message> known = new LinkedHashMap<>(16, 0.75f, true) {

        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Message> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** @param ids whether a message's line shows its message id (for reply, recall, edit and react) */
    Transcript(boolean ids) {
        this.ids = ids;
    }

    /** Remembers messages to quote (history remembers its whole page before it prints a line of it). */
    void remember(List<Message> messages) {
        messages.forEach(this::remember);
    }

    /**
     * A line of {@code tail}: {@code 21:14:15 d:alice:bob bob: ↪ "coffee?" yes}, or for an entry what it changed:
     * {@code 21:15:02 d:alice:bob alice recalled "oops"}, or for a system message the event: {@code 21:16:00 g:team *
     * alice renamed the group to "Launch"}. An entry is applied to the message it changes.
     */
    String line(Message message) {
        String at = TIME.format(message.sentAt()) + " " + message.conversation() + " ";
        if (message.isSystem()) {
            return at + "* " + message.text();
        }
        if (!message.isChange()) {
            remember(message);
            return at + (ids ? message.messageId() + " " : "") + message.from() + ": " + body(message);
        }
        String target = String.valueOf(message.target());
        Message held = known.get(target);
        // a message that arrived recalled (caught up after the recall) has no words left to name it by
        String what = held != null && held.recalled() ? "a message" : describe(target);
        if (held != null) {
            known.put(target, held.apply(message));
        }
        return at
                + switch (message.content()) {
                    case Content.Recall recall -> message.from() + " recalled " + what;
                    case Content.Edit edit -> message.from() + " edited " + what + ": " + edit.text();
                    case Content.Reaction reaction ->
                        message.from()
                                + (reaction.added()
                                        ? " reacted " + reaction.emoji() + " to "
                                        : " took back " + reaction.emoji() + " from ")
                                + what;
                    case Content.Delete delete -> "you deleted " + what + " on your devices";
                    default -> message.from() + ": " + message.text();
                };
    }

    /**
     * What a message says, in its current state: {@code ↪ "coffee at 8?" yes (edited)  👍 2 🎉 1}; a recalled one is
     * {@code [message recalled]}.
     */
    String body(Message message) {
        StringBuilder body = new StringBuilder();
        String replyTo = message.replyTo();
        if (replyTo != null) {
            body.append("↪ ").append(describe(replyTo)).append(' ');
        }
        body.append(message.text());
        if (message.edited() && !message.recalled()) {
            body.append(" (edited)");
        }
        if (!message.reactions().isEmpty()) {
            body.append("  ")
                    .append(message.reactions().entrySet().stream()
                            .map(reaction -> reaction.getKey() + " "
                                    + reaction.getValue().size())
                            .collect(Collectors.joining(" ")));
        }
        return body.toString();
    }

    private void remember(Message message) {
        known.put(message.messageId(), message);
    }

    /** {@code "the first words"} of a remembered message, else its id. */
    private String describe(String messageId) {
        Message message = known.get(messageId);
        return message == null ? messageId : "\"" + quote(message) + "\"";
    }

    private static String quote(Message message) {
        return switch (message.content()) {
            case Content.Text text -> firstWords(text.text());
            case Content.Recalled recalled -> "[message recalled]";
            default -> "[" + message.content().kind() + "]";
        };
    }

    static String firstWords(String text) {
        String[] words = text.strip().split("\\s+");
        StringBuilder quoted = new StringBuilder();
        for (int i = 0; i < words.length && i < QUOTED_WORDS; i++) {
            if (quoted.length() + words[i].length() > QUOTED_CHARS) {
                break;
            }
            quoted.append(i == 0 ? "" : " ").append(words[i]);
        }
        String stripped = text.strip();
        if (quoted.isEmpty()) {
            int chars = Math.min(stripped.codePointCount(0, stripped.length()), QUOTED_CHARS);
            quoted.append(stripped, 0, stripped.offsetByCodePoints(0, chars));
        }
        return quoted.length() < stripped.length() ? quoted + "…" : quoted.toString();
    }
}
