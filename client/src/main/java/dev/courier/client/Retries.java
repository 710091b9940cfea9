package dev.courier.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request until it succeeds, fails for good, or runs out of its total time. Between attempts it pauses by
 * the retry {@link Backoff} (never shorter than a server's {@code Retry-After}); a refused token is replaced by a new
 * login and the request retried at once, twice at most.
 */
final class Retries {

    private static final Logger log = LoggerFactory.getLogger(Retries.class);

    private static final int MAX_LOGINS = 2;

    /** One attempt, given how long it may wait for the first response. */
    @FunctionalInterface
    interface Attempt<T> {

        T run(Duration firstResponseTimeout) throws IOException, InterruptedException;
    }

    private final ClientSettings settings;

    private final Auth auth;

    private final RandomGenerator random;

    Retries(ClientSettings settings, Auth auth, RandomGenerator random) {
        this.settings = settings;
        this.auth = auth;
        this.random = random;
    }

    /**
     * @param idempotent whether an attempt whose outcome is unknown (sent, but no answer) may be repeated; otherwise
     *        only failures where the server surely did nothing are retried (no connection, 429, 503)
     * @throws CourierException when the server refused the request for good
     * @throws TimeoutException when {@code total} ran out; the last failure is its cause
     * @throws IOException when a non-idempotent attempt failed with an unknown outcome
     */
    <T> T call(String what, Duration total, boolean idempotent, Attempt<T> attempt)
            throws IOException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + total.toNanos();
        int failures = 0;
        int logins = 0;
        while (true) {
            long remaining = deadline - System.nanoTime();
            IOException failure;
            Duration retryAfter = null;
            try {
                return attempt.run(min(settings.firstResponseTimeout(), Duration.ofNanos(Math.max(remaining, 1))));
            } catch (Http.Unauthorized e) {
                auth.refused(e.token());
                if (++logins > MAX_LOGINS) {
                    throw new CourierException(401, "unauthenticated", e.getMessage());
                }
                continue;
            } catch (Http.Retryable e) {
                failure = e;
                retryAfter = e.retryAfter();
            } catch (IOException e) {
                if (!idempotent && !surelyNotSent(e)) {
                    throw e;
                }
                failure = e;
            }
            Duration pause = settings.retryBackoff().delay(failures++, retryAfter, random);
            remaining = deadline - System.nanoTime();
            if (pause.toNanos() >= remaining && failure instanceof NotStoredYet notStored) {
                throw notStored.refusal();
            }
            if (pause.toNanos() >= remaining) {
                TimeoutException timeout = new TimeoutException(what + " did not succeed within " + human(total) + " ("
                        + failures + " attempts; last: " + failure + ")");
                timeout.initCause(failure);
                throw timeout;
            }
            log.debug("{} failed ({}); attempt {} in {} ms", what, failure.toString(), failures + 1, pause.toMillis());
            Thread.sleep(pause);
        }
    }

    /**
     * An attempt about a message that {@code notYet} refusals are retried for during {@code wait}, counted from the
     * first of them: the server knows a message it accepted only once the pipeline stored it, a moment later. After
     * {@code wait} (or the call's total time) the refusal stands.
     */
    static <T> Attempt<T> untilStored(Duration wait, Predicate<CourierException> notYet, Attempt<T> attempt) {
        return new UntilStored<>(wait, notYet, attempt);
    }

    /** The attempts of one call run one after the other, so its clock needs no guard. */
    private static final class UntilStored<T> implements Attempt<T> {

        private final Duration wait;

        private final Predicate<CourierException> notYet;

        private final Attempt<T> attempt;

        /** {@link System#nanoTime()} when the wait ends; set at the first {@code notYet} refusal. */
        private @Nullable Long until;

        UntilStored(Duration wait, Predicate<CourierException> notYet, Attempt<T> attempt) {
            this.wait = wait;
            this.notYet = notYet;
            this.attempt = attempt;
        }

        @Override
        public T run(Duration firstResponseTimeout) throws IOException, InterruptedException {
            try {
                return attempt.run(firstResponseTimeout);
            } catch (CourierException e) {
                if (!notYet.test(e)) {
                    throw e;
                }
                long now = System.nanoTime();
                if (until == null) {
                    until = now + wait.toNanos();
                }
                if (until - now > 0) {
                    throw new NotStoredYet(e);
                }
                throw e;
            }
        }
    }

    /** The server does not know a message yet; the server did nothing, so the request may be repeated. */
    static final class NotStoredYet extends IOException {

        private static final long serialVersionUID = 1L;

        private final CourierException refusal;

        NotStoredYet(CourierException refusal) {
            super(refusal.getMessage(), refusal);
            this.refusal = refusal;
        }

        CourierException refusal() {
            return refusal;
        }
    }

    /** Failures after which the server cannot have acted on the request. */
    private static boolean surelyNotSent(IOException e) {
        return e instanceof Http.Retryable
                || e instanceof NotStoredYet
                || e instanceof ConnectException
                || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof ConnectException;
    }

    /** {@code 250ms}, {@code 5s}, {@code 1.5s}: for messages people read. */
    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }

    static Duration min(Duration a, @Nullable Duration b) {
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
