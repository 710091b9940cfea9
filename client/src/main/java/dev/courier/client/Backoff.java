package dev.courier.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

/**
 * Capped exponential back-off with jitter, for retries and reconnects. The pause before retry number {@code n} (0 for
 * the first retry) lies uniformly in the upper half of the ceiling {@code min(max, initial * multiplier^n)}: it never
 * drops below half the ceiling, so a failing server is given room, and it never exceeds the ceiling, while a crowd of
 * clients that failed at the same moment spreads out over the half instead of returning together. A server's
 * {@code Retry-After} is honoured: the pause is then never shorter than it.
 *
 * @param initial the ceiling of the first retry
 * @param max the largest ceiling
 * @param multiplier how much the ceiling grows per retry, at least 1
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, not " + initial + " and " + max);
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier: must be at least 1, not " + multiplier);
        }
    }

    /** The ceiling for retry number {@code attempt}: {@code min(max, initial * multiplier^attempt)}. */
    public Duration ceiling(int attempt) {
        double nanos = initial.toNanos() * Math.pow(multiplier, Math.max(0, attempt));
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }

    /** The pause before retry number {@code attempt}: in {@code [ceiling/2, ceiling]}. */
    public Duration delay(int attempt, RandomGenerator random) {
        return delay(attempt, null, random);
    }

    /**
     * The pause before retry number {@code attempt} when the server asked to wait {@code retryAfter}: in
     * {@code [b, b + ceiling/2]} with {@code b = max(retryAfter, ceiling/2)}, so never before the server's time, and
     * still spread; without {@code retryAfter} it is {@link #delay(int, RandomGenerator)}.
     */
    public Duration delay(int attempt, @Nullable Duration retryAfter, RandomGenerator random) {
        long ceiling = ceiling(attempt).toNanos();
        long half = ceiling / 2;
        long base = retryAfter == null ? ceiling - half : Math.max(retryAfter.toNanos(), ceiling - half);
        return Duration.ofNanos(base + (half == 0 ? 0 : random.nextLong(half + 1)));
    }
}
