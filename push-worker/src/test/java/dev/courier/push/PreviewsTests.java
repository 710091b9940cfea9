package dev.courier.push;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PreviewsTests {

    @Test
    void aPreviewIsTheFirst100CharactersNeverHalfASurrogatePair() {
        assertThat(Previews.start("short")).isEqualTo("short");
        assertThat(Previews.start("x".repeat(150))).hasSize(100);
        String emoji = "\uD83D\uDE00".repeat(120);
        String start = Previews.start(emoji);
        assertThat(start.codePointCount(0, start.length())).isEqualTo(100);
        assertThat(Character.isHighSurrogate(start.charAt(start.length() - 1))).isFalse();
    }
}
