package dev.courier.push.provider;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;

/** HTTP's {@code Retry-After}: seconds, or an HTTP date (RFC 9110). */
final class RetryAfter {

    /** A longer wait than any retry budget is the same answer: no retry in time (and no overflow further on). */
    static final Duration LONGEST = Duration.ofDays(1);

    private RetryAfter() {}

    static @Nullable Duration of(HttpHeaders headers, Clock clock) {
        return headers.firstValue("Retry-After")
                .map(value -> parse(value, clock))
                .orElse(null);
    }

    static @Nullable Duration parse(String value, Clock clock) {
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, LONGEST.toSeconds()));
        } catch (NumberFormatException e) {
            // a date, then
        }
        try {
            Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            return wait.isNegative() ? Duration.ZERO : wait.compareTo(LONGEST) > 0 ? LONGEST : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The outcome of an HTTP status that is neither success nor an invalid token. */
    static Outcome ofStatus(int status, String detail, HttpHeaders headers, Clock clock) {
        if (status == 429 || status >= 500) {
            return new Outcome.Retry(detail, of(headers, clock));
        }
        return new Outcome.Refused(detail);
    }
}
