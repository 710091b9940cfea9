package dev.courier.client;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BackoffTests {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2);

    private final Random random = new Random(42);

    @Test
    void ceilingGrowsExponentiallyUpToTheMaximum() {
        assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofMillis(3200));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.ceiling(10_000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void everyDelayLiesInTheUpperHalfOfItsCeiling() {
        for (int attempt = 0; attempt < 40; attempt++) {
            Duration ceiling = backoff.ceiling(attempt);
            for (int i = 0; i < 500; i++) {
                assertThat(backoff.delay(attempt, random))
                        .as("attempt %d", attempt)
                        .isBetween(ceiling.dividedBy(2), ceiling);
            }
        }
    }

    @Test
    void delaysOfClientsThatFailedTogetherSpreadOut() {
        Set<Long> distinct = new HashSet<>();
        for (int client = 0; client < 100; client++) {
            distinct.add(backoff.delay(3, new Random(client)).toMillis());
        }
        assertThat(distinct).as("100 clients' pauses, in whole milliseconds").hasSizeGreaterThan(80);
    }

    @Test
    void retryAfterIsNeverUndercutAndStillJittered() {
        Duration retryAfter = Duration.ofSeconds(3);
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            Duration delay = backoff.delay(0, retryAfter, random);
            assertThat(delay)
                    .isBetween(retryAfter, retryAfter.plus(backoff.ceiling(0).dividedBy(2)));
            distinct.add(delay.toMillis());
        }
        assertThat(distinct).hasSizeGreaterThan(10);
    }

    @Test
    void aShortRetryAfterDoesNotShortenTheBackoff() {
        for (int i = 0; i < 500; i++) {
            assertThat(backoff.delay(6, Duration.ofMillis(10), random))
                    .isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
        }
    }

    @Test
    void refusesNonsense() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5));
    }
}
