package dev.courier.sync;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

import dev.courier.ops.Background;
import dev.courier.web.Caller;

/**
 * Long polls: {@code POST /v1/sync?waitMs=N} answers as soon as anything is new for the user, woken by a push hint, or
 * with the empty delta (the same key) when the wait runs out. A waiting poll holds no request thread, only a
 * {@link DeferredResult}, a hint subscription and a timer.
 * <p>
 * The subscription is confirmed by Redis before the first look at the database, so a hint published after that look
 * is never missed. When Redis is down the poll still answers, at its timeout. While it waits, and for the long poll
 * grace after, the device counts as present ({@link DevicePresence}): it gets no pushes.
 * <p>
 * A look at the database that fails before the timeout leaves the poll waiting (the next hint or the timeout looks
 * again); it is counted in {@code courier.sync.long_poll.failures{exception}} and logged at WARN, with the exception, at
 * most once a minute per kind of exception.
 */
@Component
class LongPolls {

    private static final Logger log = LoggerFactory.getLogger(LongPolls.class);

    private static final long WARN_INTERVAL_MILLIS = 60_000;

    private final SyncService sync;

    private final HintSubscriptions hints;

    private final DevicePresence presence;

    private final SyncProperties properties;

    /** Times out the waits (a timer does nothing but hand the answer to {@link #executor}). */
    private final TaskScheduler timers;

    /** Computes the answers, off the Redis and timer threads. */
    private final Executor executor;

    private final Clock clock;

    private final AtomicInteger held = new AtomicInteger();

    /**
     * Long polls woken together (a hint for a user with many devices, or many users at once) read the database in
     * turn rather than all at once: they wait here, cheaply, instead of timing out on the connection pool.
     */
    private final Semaphore reads = new Semaphore(8);

    private final MeterRegistry meters;

    /** When each kind of failure was last logged. */
    private final Map<String, Long> lastWarned = new ConcurrentHashMap<>();

    LongPolls(
            SyncService sync,
            HintSubscriptions hints,
            DevicePresence presence,
            SyncProperties properties,
            MeterRegistry meters,
            @Qualifier(Background.SCHEDULER) TaskScheduler timers,
            @Qualifier(Background.EXECUTOR) Executor executor,
            Clock clock) {
        this.sync = sync;
        this.hints = hints;
        this.presence = presence;
        this.properties = properties;
        this.meters = meters;
        this.timers = timers;
        this.executor = executor;
        this.clock = clock;
    }

    /** Long polls held now. */
    int held() {
        return held.get();
    }

    /**
     * @throws dev.courier.common.SyncKeyCodec.InvalidSyncKeyException at once when the key is not acceptable
     */
    DeferredResult<SyncResponse> poll(Caller caller, @Nullable String presentedKey, int limit, long waitMs) {
        sync.validate(caller, presentedKey); // a bad key is answered at once, before anything is held
        // the request's own timeout is a safety net only: the timer below answers first
        DeferredResult<SyncResponse> result = new DeferredResult<>(waitMs + 10_000L);
        held.incrementAndGet();
        DevicePresence.Hold present = presence.hold(caller.userId(), caller.deviceId(), true);
        HintSubscriptions.Subscription subscription = hints.subscribe(
                caller.userId(), hint -> executor.execute(() -> answer(result, caller, presentedKey, limit, false)));
        ScheduledFuture<?> timer = timers.schedule(
                () -> executor.execute(() -> answer(result, caller, presentedKey, limit, true)),
                clock.instant().plusMillis(waitMs));
        result.onCompletion(() -> {
            held.decrementAndGet();
            present.close();
            subscription.close();
            timer.cancel(false);
        });
        subscription
                .ready()
                .orTimeout(properties.hintSubscribeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete(
                        (ok, failure) -> executor.execute(() -> answer(result, caller, presentedKey, limit, false)));
        return result;
    }

    /** Answers with the delta if it is not empty, or anyway once the wait ran out. */
    private void answer(
            DeferredResult<SyncResponse> result,
            Caller caller,
            @Nullable String presentedKey,
            int limit,
            boolean timedOut) {
        if (result.isSetOrExpired()) {
            return;
        }
        reads.acquireUninterruptibly();
        try {
            if (result.isSetOrExpired()) {
                return;
            }
            SyncService.Delta delta = sync.compute(caller, presentedKey, limit);
            if (timedOut || !delta.response().isEmpty()) {
                sync.acknowledge(caller, delta);
                result.setResult(delta.response());
            }
        } catch (RuntimeException e) {
            failed(e, timedOut);
            if (timedOut) {
                result.setErrorResult(e);
            }
            // otherwise keep waiting: the next hint or the timeout looks again (the database may just be busy)
        } finally {
            reads.release();
        }
    }

    private void failed(RuntimeException e, boolean timedOut) {
        String kind = e.getClass().getSimpleName();
        meters.counter("courier.sync.long_poll.failures", "exception", kind).increment();
        long now = clock.millis();
        Long last = lastWarned.get(kind);
        if (last == null || now - last >= WARN_INTERVAL_MILLIS) {
            lastWarned.put(kind, now);
            log.warn(
                    "A long poll's look at the database failed; {} (a failure of this kind is logged once a minute "
                            + "at most, each one is counted in courier.sync.long_poll.failures)",
                    timedOut ? "it is answered with the error" : "it keeps waiting",
                    e);
        }
    }
}
