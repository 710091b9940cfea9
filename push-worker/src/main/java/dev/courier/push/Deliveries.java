package dev.courier.push;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.courier.common.ErrorCode;
import dev.courier.common.PushCandidate;
import dev.courier.ops.Background;
import dev.courier.push.provider.Outcome;
import dev.courier.push.provider.Push;
import dev.courier.push.provider.PushProvider;
import dev.courier.store.PushTokenRepository;
import dev.courier.store.PushTokenRepository.PushToken;

/**
 * The pushes of every device this instance serves (a user's candidates all reach one partition, so one instance). Per
 * device: at most one push per {@code courier.push.coalesce}, carrying the newest candidate offered by then (a
 * candidate that arrives while a push is waiting or being retried joins it); the device's presence is checked before
 * each attempt (a device holding a stream or long poll gets none); the provider's answer decides: delivered,
 * token removed, retried with growing pauses and {@code Retry-After} until {@code courier.push.retry.max-elapsed},
 * or dead-lettered.
 * <p>
 * {@link #offer} returns a future completed once the push that carries the candidate is resolved (delivered, not due,
 * its token removed, or dead-lettered), or once it only waits for the end of the device's window: the listener commits
 * its offsets only then, so a crash loses no push that was due but the trailing push of a window (whose device was
 * pushed less than a window before). Nothing here runs on the caller's thread: attempts run on {@link Background#EXECUTOR}, timed by
 * {@link Background#SCHEDULER}.
 * <p>
 * Meters (tag {@code provider}): {@code courier.push.sent}, {@code courier.push.failed} (tag {@code reason}:
 * {@code exhausted}, {@code refused}), {@code courier.push.retried}, {@code courier.push.tokens.removed}, the timer
 * {@code courier.push.latency} (inbox commit to the provider's acceptance); {@code courier.push.skipped} (tag
 * {@code reason}: {@code present}, {@code provider_off}, {@code expired}).
 */
@Component
class Deliveries implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

    /** Longer than any provider's own timeout (10 s by default). */
    private static final Duration ANSWER_PATIENCE = Duration.ofSeconds(30);

    private final PushProvidersConfiguration.Providers providers;

    private final PresenceCheck presence;

    private final PushTokenRepository tokens;

    private final PushDeadLetters deadLetters;

    private final PushProperties properties;

    private final TaskScheduler scheduler;

    private final Executor executor;

    private final Clock clock;

    private final MeterRegistry meters;

    private final Map<String, Device> devices = new ConcurrentHashMap<>();

    private volatile @Nullable ScheduledFuture<?> sweeper;

    Deliveries(
            PushProvidersConfiguration.Providers providers,
            PresenceCheck presence,
            PushTokenRepository tokens,
            PushDeadLetters deadLetters,
            PushProperties properties,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            @Qualifier(Background.EXECUTOR) Executor executor,
            Clock clock,
            MeterRegistry meters) {
        this.providers = providers;
        this.presence = presence;
        this.tokens = tokens;
        this.deadLetters = deadLetters;
        this.properties = properties;
        this.scheduler = scheduler;
        this.executor = executor;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * A candidate that is due for a device.
     *
     * @param source the record it came from (for the dead letter)
     */
    record Due(PushCandidate candidate, Push.@Nullable Preview preview, ConsumerRecord<String, String> source) {}

    /** The pushes of one device; every field is guarded by the device itself. */
    private static final class Device {

        PushToken token;

        /** The newest candidate not sent yet. */
        @Nullable
        Due newest;

        /** The futures of the candidates {@link #newest} covers. */
        List<CompletableFuture<Void>> waiting = new ArrayList<>();

        /** An attempt is scheduled or running. */
        boolean busy;

        /** The scheduled attempt waits only for the window of the last push (not for a retry). */
        boolean windowWait;

        /** When the last delivered push was started (the window runs from there). */
        long lastDeliveredAt = Long.MIN_VALUE / 2;

        /** Retries of the current push so far, and since when it fails. */
        int retries;

        long failingSince;

        Device(PushToken token) {
            this.token = token;
        }

        boolean idle(long now, long window) {
            return !busy && waiting.isEmpty() && now - lastDeliveredAt >= window;
        }
    }

    /** Devices with pushes waiting, in flight, or within the window of their last push. */
    int devices() {
        return devices.size();
    }

    /** Offers the candidate for the device of {@code token}; the future completes once its push is resolved. */
    CompletableFuture<Void> offer(PushToken token, Due due) {
        PushProvider provider = providers.get(token.provider());
        if (provider == null) {
            skipped("provider_off");
            return CompletableFuture.completedFuture(null);
        }
        if (clock.millis() - due.candidate().committedAt() > properties.maxAge().toMillis()) {
            skipped("expired");
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ticket = new CompletableFuture<>();
        // inside compute: the sweeper cannot drop the device between finding it and adding to it
        devices.compute(token.userId() + " " + token.deviceId(), (key, existing) -> {
            Device device = existing != null ? existing : new Device(token);
            synchronized (device) {
                device.token = token;
                Due newest = device.newest;
                if (newest == null
                        || due.candidate().seq() >= newest.candidate().seq()) {
                    device.newest = due;
                }
                device.waiting.add(ticket);
                if (!device.busy) {
                    device.busy = true;
                    scheduleNext(device);
                } else if (device.windowWait) {
                    // joins the push that waits for the window: resolved for the listener now (see scheduleNext)
                    complete(device.waiting);
                    device.waiting = new ArrayList<>();
                }
            }
            return device;
        });
        return ticket;
    }

    /** The earliest a new push may start: one window after the last delivered one. */
    private long nextAllowed(Device device, long now) {
        return Math.max(now, device.lastDeliveredAt + properties.coalesce().toMillis());
    }

    /**
     * Called holding the device: schedules its next push at the end of the window. One that must wait for the window
     * resolves the candidates it carries at once, so the listener moves on and later candidates join it (the push
     * carries the newest seq when it goes): a crash can lose only such a push, of a device pushed less than one
     * window before.
     */
    private void scheduleNext(Device device) {
        long now = clock.millis();
        long at = nextAllowed(device, now);
        device.windowWait = at > now;
        if (device.windowWait) {
            complete(device.waiting);
            device.waiting = new ArrayList<>();
        }
        schedule(device, at);
    }

    private void schedule(Device device, long at) {
        if (at <= clock.millis()) {
            executor.execute(() -> attempt(device));
        } else {
            scheduler.schedule(() -> executor.execute(() -> attempt(device)), Instant.ofEpochMilli(at));
        }
    }

    private void attempt(Device device) {
        Due due;
        List<CompletableFuture<Void>> covered;
        PushToken token;
        synchronized (device) {
            due = device.newest;
            covered = device.waiting;
            token = device.token;
            device.windowWait = false;
            device.newest = null;
            device.waiting = new ArrayList<>();
            if (due == null) {
                finish(device);
                complete(covered);
                return;
            }
        }
        long started = clock.millis();
        try {
            // the device's token as it is now: signed out or cleared meanwhile, it gets nothing; a new token gets it
            PushToken current = tokens.token(token.userId(), token.deviceId()).orElse(null);
            if (current == null) {
                skipped("no_token");
                synchronized (device) {
                    device.retries = 0;
                    device.failingSince = 0;
                    finish(device);
                }
                complete(covered);
                return;
            }
            if (!current.equals(token)) {
                synchronized (device) {
                    device.token = current;
                }
                token = current;
            }
            if (presence.isPresent(token.userId(), token.deviceId())) {
                skipped("present");
                synchronized (device) {
                    device.retries = 0;
                    device.failingSince = 0;
                    finish(device);
                }
                complete(covered);
                return;
            }
            PushProvider provider = providers.get(token.provider());
            if (provider == null) {
                skipped("provider_off");
                synchronized (device) {
                    finish(device);
                }
                complete(covered);
                return;
            }
            PushCandidate candidate = due.candidate();
            Push push = new Push(
                    token.userId(),
                    token.deviceId(),
                    token.provider(),
                    token.token(),
                    candidate.seq(),
                    candidate.badge(),
                    candidate.conversation(),
                    candidate.messageId(),
                    properties.preview() ? due.preview() : null);
            Due sent = due;
            PushToken target = token;
            // a safety net under each provider's own timeout: an answer that never comes must not hold the device
            Duration patience = ANSWER_PATIENCE;
            provider.send(push)
                    .completeOnTimeout(
                            new Outcome.Retry("no answer within " + patience, null),
                            patience.toMillis(),
                            TimeUnit.MILLISECONDS)
                    .exceptionally(failure -> new Outcome.Retry(String.valueOf(failure), null))
                    .thenAcceptAsync(outcome -> answered(device, target, sent, covered, started, outcome), executor);
        } catch (RuntimeException e) {
            answered(device, token, due, covered, started, new Outcome.Retry("could not send: " + e, null));
        }
    }

    private void answered(
            Device device,
            PushToken token,
            Due due,
            List<CompletableFuture<Void>> covered,
            long started,
            Outcome outcome) {
        long now = clock.millis();
        String provider = token.provider();
        switch (outcome) {
            case Outcome.Delivered delivered -> {
                meters.counter("courier.push.sent", "provider", provider).increment();
                Timer.builder("courier.push.latency")
                        .description("inbox commit to the provider's acceptance of the push")
                        .tag("provider", provider)
                        .register(meters)
                        .record(Math.max(0, now - due.candidate().committedAt()), TimeUnit.MILLISECONDS);
                synchronized (device) {
                    device.lastDeliveredAt = started;
                    device.retries = 0;
                    device.failingSince = 0;
                    finish(device);
                }
                complete(covered);
            }
            case Outcome.Unregistered unregistered -> {
                try {
                    if (tokens.deleteIfStill(token.userId(), token.deviceId(), token.token())) {
                        meters.counter("courier.push.tokens.removed", "provider", provider)
                                .increment();
                    }
                } catch (RuntimeException e) {
                    // the next push to the token finds it invalid again and removes it then
                    log.warn(
                            "Could not remove the invalid push token of {}/{}: {}",
                            token.userId(),
                            token.deviceId(),
                            e.toString());
                }
                List<CompletableFuture<Void>> all = new ArrayList<>(covered);
                synchronized (device) {
                    if (device.token.token().equals(token.token())) {
                        // what waits for this token can never be delivered either
                        all.addAll(device.waiting);
                        device.waiting = new ArrayList<>();
                        device.newest = null;
                    }
                    device.retries = 0;
                    device.failingSince = 0;
                    finish(device);
                }
                complete(all);
            }
            case Outcome.Retry retry -> {
                boolean exhausted;
                synchronized (device) {
                    if (device.failingSince == 0) {
                        device.failingSince = started;
                    }
                    device.retries++;
                    Duration pause = properties.retry().pause(device.retries);
                    Duration after = retry.retryAfter();
                    if (after != null && after.compareTo(pause) > 0) {
                        pause = after;
                    }
                    long next = now + pause.toMillis();
                    exhausted = next - device.failingSince
                            > properties.retry().maxElapsed().toMillis();
                    if (!exhausted) {
                        meters.counter("courier.push.retried", "provider", provider)
                                .increment();
                        // the candidates that arrived meanwhile join the retry: it carries the newest
                        Due newest = device.newest;
                        if (newest == null
                                || newest.candidate().seq() < due.candidate().seq()) {
                            device.newest = due;
                        }
                        device.waiting.addAll(0, covered);
                        device.windowWait = false;
                        schedule(device, Math.max(next, nextAllowed(device, now)));
                    }
                }
                if (exhausted) {
                    int attempts;
                    long failingFor;
                    synchronized (device) {
                        attempts = device.retries;
                        failingFor = now - device.failingSince;
                        device.retries = 0;
                        device.failingSince = 0;
                    }
                    meters.counter("courier.push.failed", "provider", provider, "reason", "exhausted")
                            .increment();
                    deadLetter(
                            device,
                            token,
                            due,
                            covered,
                            ErrorCode.UNAVAILABLE,
                            retry.detail() + " (" + attempts + " attempts in " + failingFor + " ms; "
                                    + "courier.push.retry.max-elapsed is "
                                    + properties.retry().maxElapsed() + ")");
                }
            }
            case Outcome.Refused refused -> {
                meters.counter("courier.push.failed", "provider", provider, "reason", "refused")
                        .increment();
                synchronized (device) {
                    device.retries = 0;
                    device.failingSince = 0;
                }
                deadLetter(device, token, due, covered, ErrorCode.INVALID_REQUEST, refused.detail());
            }
        }
    }

    private void deadLetter(
            Device device,
            PushToken token,
            Due due,
            List<CompletableFuture<Void>> covered,
            ErrorCode reason,
            String detail) {
        CompletableFuture<?> letter;
        try {
            letter = deadLetters.reject(due.source(), reason, detail, token.deviceId(), token.provider());
        } catch (RuntimeException e) {
            letter = CompletableFuture.failedFuture(e);
        }
        letter.whenComplete((ok, failure) -> {
            synchronized (device) {
                finish(device);
            }
            if (failure == null) {
                complete(covered);
            } else {
                // not dead-lettered: the listener fails its batch, which is delivered again
                covered.forEach(ticket -> ticket.completeExceptionally(failure));
            }
        });
    }

    /** Called holding the device: the next push if candidates arrived meanwhile, else the device is idle. */
    private void finish(Device device) {
        if (device.newest != null || !device.waiting.isEmpty()) {
            scheduleNext(device);
        } else {
            device.busy = false;
        }
    }

    private static void complete(List<CompletableFuture<Void>> tickets) {
        tickets.forEach(ticket -> ticket.complete(null));
    }

    private void skipped(String reason) {
        meters.counter("courier.push.skipped", "reason", reason).increment();
    }

    /** Forgets devices that are idle and past their window, so memory follows the devices being pushed. */
    private void sweep() {
        long now = clock.millis();
        long window = properties.coalesce().toMillis();
        for (String key : devices.keySet()) {
            devices.computeIfPresent(key, (k, device) -> {
                synchronized (device) {
                    return device.idle(now, window) ? null : device;
                }
            });
        }
    }

    @Override
    public void start() {
        sweeper = scheduler.scheduleWithFixedDelay(this::sweep, Duration.ofSeconds(10));
    }

    @Override
    public void stop() {
        ScheduledFuture<?> running = sweeper;
        if (running != null) {
            running.cancel(false);
            sweeper = null;
        }
    }

    @Override
    public boolean isRunning() {
        return sweeper != null;
    }
}
