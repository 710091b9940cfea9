package dev.courier.push.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RetryAfter}: seconds or an HTTP date, nothing for what is neither, and never more than a day. */
class RetryAfterTests {

    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void secondsAndDatesAreReadAndAnythingElseIsNoAdvice() {
        assertThat(RetryAfter.parse("120", clock)).isEqualTo(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse("Tue, 01 Dec 2026 10:00:30 GMT", clock)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Tue, 01 Dec 2026 09:00:00 GMT", clock)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("-5", clock)).isNull();
        assertThat(RetryAfter.parse("soon", clock)).isNull();
    }

    @Test
    void aWaitBeyondADayIsADay() {
        // a provider's Long.MAX_VALUE seconds once overflowed the pause in milliseconds and wedged the device
        assertThat(RetryAfter.parse(Long.toString(Long.MAX_VALUE), clock)).isEqualTo(RetryAfter.LONGEST);
        assertThat(RetryAfter.parse("Fri, 01 Dec 2028 10:00:00 GMT", clock)).isEqualTo(RetryAfter.LONGEST);
        assertThat(RetryAfter.LONGEST.toMillis()).isPositive();
    }
}
