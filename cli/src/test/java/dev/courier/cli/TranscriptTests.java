package dev.courier.cli;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.courier.client.Content;
import dev.courier.client.Message;

import static org.assertj.core.api.Assertions.assertThat;

class TranscriptTests {

    private static final Instant AT = Instant.parse("2026-12-01T21:14:13Z");

    private static Message message(String id, String text, String replyTo) {
        return new Message(1, id, "c-" + id, "g:team", 1, "alice", Content.text(text), AT, replyTo, null, Map.of());
    }

    @Test
    void aQuoteIsTheFirstWordsOfItsTargetAndAnUnknownTargetIsNamedByItsId() {
        Transcript transcript = new Transcript(false);
        assertThat(transcript.line(message("m1", "one two three four five six seven eight", null)))
                .endsWith(" g:team alice: one two three four five six seven eight");
        assertThat(transcript.line(message("m2", "yes", "m1")))
                .endsWith(" g:team alice: ↪ \"one two three four five six…\" yes");
        assertThat(transcript.line(message("m3", "and?", "m-unknown"))).endsWith(" alice: ↪ m-unknown and?");
    }

    @Test
    void historyBodiesShowEditsRecallsAndReactionCounts() {
        Transcript transcript = new Transcript(true);
        Message edited = new Message(
                0,
                "m1",
                "c",
                "g:team",
                1,
                "alice",
                Content.text("at 9"),
                AT,
                null,
                AT.plusSeconds(5),
                Map.of("👍", List.of("bob", "carol")));
        assertThat(transcript.body(edited)).isEqualTo("at 9 (edited)  👍 2");
        Message recalled = new Message(0, "m2", "c", "g:team", 2, "alice", new Content.Recalled("text"), AT);
        assertThat(transcript.body(recalled)).isEqualTo("[message recalled]");
        assertThat(transcript.line(recalled)).contains(" g:team m2 alice: [message recalled]");
    }

    @Test
    void firstWordsStopAtFortyCharactersWithoutSplittingACharacter() {
        assertThat(Transcript.firstWords("short")).isEqualTo("short");
        assertThat(Transcript.firstWords("x".repeat(50))).isEqualTo("x".repeat(40) + "…");
        assertThat(Transcript.firstWords("😀".repeat(45))).isEqualTo("😀".repeat(40) + "…");
    }

    @Test
    void aSystemMessageIsAnEventLineAndNeverQuotedAsSomethingSomeoneSaid() {
        Transcript transcript = new Transcript(true);
        Message renamed =
                new Message(3, "s3", "", "g:team", 3, "alice", new Content.GroupUpdated("Launch", null, null), AT);
        assertThat(transcript.line(renamed)).endsWith(" g:team * alice renamed the group to \"Launch\"");
        Message left = new Message(4, "s4", "", "g:team", 4, "bob", new Content.MemberRemoved("bob"), AT);
        assertThat(transcript.line(left)).endsWith(" g:team * bob left");
        Message unknown =
                new Message(5, "s5", "", "g:team", 5, "alice", new Content.UnknownEvent("topic.pinned", "{}"), AT);
        assertThat(transcript.line(unknown)).endsWith(" g:team * alice changed the group (topic.pinned)");
    }
}
