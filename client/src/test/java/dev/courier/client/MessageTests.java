package dev.courier.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Lifecycle entries applied to the message they change. */
class MessageTests {

    private static final Instant SENT = Instant.parse("2026-11-21T20:35:04Z");

    private final Message question = message("m1", "alice", Content.text("coffee at 8?"));

    private static Message message(String id, String from, Content content) {
        return new Message(1, id, "c-" + id, "d:alice:bob", 1, from, content, SENT);
    }

    private static Message entry(String from, Content.Change change, Instant at) {
        return new Message(9, "c-entry", "x", "d:alice:bob", 2, from, change, at);
    }

    @Test
    void anEditReplacesTheTextAndSaysWhenAndARecallLeavesOnlyTheKind() {
        Instant later = SENT.plusSeconds(60);
        Message edited = question.apply(entry("alice", new Content.Edit("m1", "coffee at 9?"), later));

        assertThat(edited.text()).isEqualTo("coffee at 9?");
        assertThat(edited.editedAt()).isEqualTo(later);
        assertThat(edited.edited()).isTrue();
        assertThat(edited.sentAt()).isEqualTo(SENT);

        Message recalled = edited.apply(entry("alice", new Content.Recall("m1"), later.plusSeconds(1)));
        assertThat(recalled.recalled()).isTrue();
        assertThat(recalled.content()).isEqualTo(new Content.Recalled("text"));
        assertThat(recalled.apply(entry("alice", new Content.Edit("m1", "again"), later.plusSeconds(2))))
                .as("a recalled message is not edited")
                .isEqualTo(recalled);
        assertThat(recalled.apply(entry("alice", new Content.Recall("m1"), later.plusSeconds(3))))
                .isEqualTo(recalled);
    }

    @Test
    void reactionsAreKeptInTheOrderTheyCameAndAppliedOnce() {
        Message reacted = question.apply(entry("bob", new Content.Reaction("m1", "🎉", true), SENT))
                .apply(entry("alice", new Content.Reaction("m1", "🎉", true), SENT))
                .apply(entry("bob", new Content.Reaction("m1", "👍", true), SENT))
                .apply(entry("bob", new Content.Reaction("m1", "🎉", true), SENT));
        assertThat(reacted.reactions())
                .containsExactly(Map.entry("🎉", List.of("bob", "alice")), Map.entry("👍", List.of("bob")));

        Message taken = reacted.apply(entry("bob", new Content.Reaction("m1", "👍", false), SENT))
                .apply(entry("carol", new Content.Reaction("m1", "🎉", false), SENT));
        assertThat(taken.reactions()).containsExactly(Map.entry("🎉", List.of("bob", "alice")));
    }

    @Test
    void anEntryOfAnotherMessageADeleteAndAMessageThatIsNoEntryChangeNothing() {
        assertThat(question.apply(entry("alice", new Content.Recall("m2"), SENT)))
                .isSameAs(question);
        assertThat(question.apply(entry("bob", new Content.Delete("m1"), SENT))).isSameAs(question);
        assertThat(question.apply(message("m3", "bob", Content.text("m1")))).isSameAs(question);
        Message picture = message("m4", "alice", Content.media("image", "https://cdn/x.png", "image/png", 1));
        assertThat(picture.apply(entry("alice", new Content.Edit("m4", "caption"), SENT)))
                .isSameAs(picture);
        assertThat(question.isChange()).isFalse();
        assertThat(question.target()).isNull();
    }
}
