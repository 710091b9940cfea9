package dev.courier.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The receiving side: one thread that syncs whenever there may be something new and hands it to the listener. While
 * the stream WebSocket is up, it syncs over the stream on every hint (and after a quiet interval, since hints are best
 * effort); while the stream is down, it long-polls {@code POST /v1/sync?waitMs=...}, and the stream reconnects on its
 * own. A failure pauses the loop by the reconnect back-off. The sync key advances, in memory and then in the store,
 * only after the listener returned for the whole delta.
 */
final class SyncLoop implements SyncSubscription, Link.Handler {

    private static final Logger log = LoggerFactory.getLogger(SyncLoop.class);

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final Http http;

    private final Auth auth;

    private final ClientSettings settings;

    private final URI longPoll;

    private final SyncKeyStore store;

    private final SyncListener listener;

    private final RandomGenerator random;

    private final Link stream;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition wake = lock.newCondition();

    /** Guarded by {@link #lock}: a hint or a reconnect asked for a sync. */
    private boolean wanted;

    /** Guarded by {@code this}: whether the loop thread is in a wait that close() may interrupt. */
    private boolean interruptible;

    private volatile boolean closed;

    private volatile @Nullable CompletableFuture<JsonNode> awaitingDelta;

    /** The seq of the last message handed over in this process; a hint at or below it is nothing new. */
    private volatile long deliveredSeq;

    /** The loop thread's own: the key of everything handed over. */
    private @Nullable String key;

    private @Nullable Thread thread;

    SyncLoop(
            Http http,
            Auth auth,
            ClientSettings settings,
            URI sync,
            SyncKeyStore store,
            SyncListener listener,
            RandomGenerator random,
            Function<Link.Handler, Link> streamFactory) {
        this.http = http;
        this.auth = auth;
        this.settings = settings;
        this.longPoll =
                sync.resolve("/v1/sync?waitMs=" + settings.longPollWait().toMillis());
        this.store = store;
        this.listener = listener;
        this.random = random;
        this.stream = streamFactory.apply(this);
    }

    void start() {
        try {
            key = store.load().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sync key from " + store, e);
        }
        stream.start();
        thread = Thread.ofVirtual().name("courier-sync").start(this::run);
    }

    @Override
    public boolean streaming() {
        return stream.isUp();
    }

    private void run() {
        int failures = 0;
        boolean now = true;
        while (!closed) {
            Duration pause;
            boolean waitFirst = !now;
            try {
                Wire.Delta delta = interruptibly(() -> {
                    if (waitFirst) {
                        awaitReason();
                    }
                    return stream.isUp() ? overStream() : overLongPoll();
                });
                if (closed) {
                    return; // fetched but not handed over: nothing is acknowledged, nothing lost
                }
                deliver(delta);
                failures = 0;
                now = delta.hasMore();
                continue;
            } catch (InterruptedException e) {
                return;
            } catch (Http.Unauthorized e) {
                auth.refused(e.token());
                pause = settings.reconnectBackoff().delay(failures++, random);
            } catch (Http.Retryable e) {
                pause = settings.reconnectBackoff().delay(failures++, e.retryAfter(), random);
            } catch (IOException e) {
                log.debug("Sync failed ({}); retrying", e.toString());
                pause = settings.reconnectBackoff().delay(failures++, random);
            } catch (CourierException e) {
                if (e.code().equals("invalid_sync_key") && startAfresh(e)) {
                    now = true;
                    continue;
                }
                log.warn("Sync refused: {}", e.getMessage());
                try {
                    listener.onError(e);
                } catch (RuntimeException ignored) {
                    // only a notification
                }
                pause = settings.reconnectBackoff().delay(failures++, random);
            } catch (RuntimeException e) {
                log.error("Sync listener or key store failed; the delta will be handed over again", e);
                pause = settings.reconnectBackoff().delay(failures++, random);
            }
            now = true;
            try {
                interruptibly(() -> {
                    Thread.sleep(pause);
                    return Boolean.TRUE;
                });
            } catch (InterruptedException | IOException e) {
                return;
            }
        }
    }

    /** Waits until a hint or a reconnect asks for a sync, the quiet interval passed, or the stream is down. */
    private void awaitReason() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long nanos = settings.quietSyncInterval().toNanos();
            while (!wanted && !closed && stream.isUp() && nanos > 0) {
                nanos = wake.awaitNanos(nanos);
            }
            wanted = false;
        } finally {
            lock.unlock();
        }
    }

    private Wire.Delta overStream() throws IOException, InterruptedException {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        awaitingDelta = answer;
        Duration timeout = settings.firstResponseTimeout();
        try {
            stream.send(request().put("type", "sync").toString()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if ("delta".equals(reply.path("type").asString(""))) {
                return Wire.delta(reply);
            }
            throw Http.failure(reply.path("status").asInt(500), reply, null, null);
        } catch (TimeoutException e) {
            // a late answer on this connection could be mistaken for the next one's: start a new connection
            stream.drop("no delta within " + Retries.human(timeout));
            throw new HttpTimeoutException("no delta within " + Retries.human(timeout));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            awaitingDelta = null;
        }
    }

    private Wire.Delta overLongPoll() throws IOException, InterruptedException {
        Http.Response response = http.send(
                "POST",
                longPoll,
                auth.token(),
                request(),
                settings.longPollWait().plus(settings.firstResponseTimeout()));
        return Wire.delta(response.body());
    }

    private ObjectNode request() {
        ObjectNode request = Http.JSON.createObjectNode();
        if (key != null) {
            request.put("syncKey", key);
        }
        if (settings.syncLimit() > 0) {
            request.put("limit", settings.syncLimit());
        }
        return request;
    }

    private void deliver(Wire.Delta delta) {
        long after = deliveredSeq;
        if (delta.resync()) {
            log.info("The server could not continue from the sync key; starting afresh");
            listener.onResync();
            after = 0; // another epoch of the store: its seqs start over
        }
        long last = after;
        List<Message> fresh =
                delta.messages().stream().filter(m -> m.seq() > last).toList();
        if (!fresh.isEmpty()) {
            listener.onMessages(fresh);
            after = fresh.getLast().seq();
        }
        if (!delta.conversations().isEmpty()) {
            listener.onConversations(delta.conversations());
        }
        if (!delta.groups().isEmpty()) {
            listener.onGroups(delta.groups());
        }
        key = delta.syncKey();
        deliveredSeq = after;
        try {
            store.save(delta.syncKey());
        } catch (IOException e) {
            // the key in memory moves on; a restart before the next successful save receives this delta again
            log.warn("Could not store the sync key in {}: {}", store, e.toString());
        }
    }

    /**
     * The stored key is unusable (malformed, or another user's): forget it and sync as a new device.
     *
     * @return false when the listener failed (the key is kept, to be refused and handled again)
     */
    private boolean startAfresh(CourierException e) {
        try {
            listener.onResync();
        } catch (RuntimeException failed) {
            log.error("Sync listener failed", failed);
            return false;
        }
        log.warn("The stored sync key was refused ({}); starting afresh", e.detail());
        key = null;
        deliveredSeq = 0;
        try {
            store.clear();
        } catch (IOException io) {
            log.warn("Could not clear the sync key in {}: {}", store, io.toString());
        }
        return true;
    }

    @Override
    public void onFrame(JsonNode frame) {
        switch (frame.path("type").asString("")) {
            case "hint" -> {
                // a hint without a seq (account, contacts, conversations, groups) always asks for a sync
                if (!frame.path("seq").isNumber() || frame.path("seq").asLong() > deliveredSeq) {
                    signal();
                }
            }
            case "delta", "error" -> {
                CompletableFuture<JsonNode> answer = awaitingDelta;
                if (answer != null) {
                    answer.complete(frame);
                }
            }
            default ->
                log.debug(
                        "Ignoring a stream frame of type {}", frame.path("type").asString(""));
        }
    }

    @Override
    public void onUp() {
        signal(); // whatever arrived while the stream was down
    }

    @Override
    public void onDown() {
        CompletableFuture<JsonNode> answer = awaitingDelta;
        if (answer != null) {
            answer.completeExceptionally(new IOException("stream link lost"));
        }
        signal(); // long-poll meanwhile
    }

    private void signal() {
        lock.lock();
        try {
            wanted = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A wait of the loop thread. */
    @FunctionalInterface
    private interface Wait<T> {

        T run() throws IOException, InterruptedException;
    }

    /**
     * Runs a wait that {@link #close()} may interrupt. Only waits are interrupted, never the listener or the key
     * store: an interrupt would break their I/O halfway.
     */
    private <T> T interruptibly(Wait<T> wait) throws IOException, InterruptedException {
        synchronized (this) {
            if (closed) {
                throw new InterruptedException();
            }
            interruptible = true;
        }
        try {
            return wait.run();
        } finally {
            synchronized (this) {
                interruptible = false;
                Thread.interrupted(); // an interrupt that came too late for this wait must not reach the listener
            }
        }
    }

    @Override
    public void close() {
        Thread loop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            loop = thread;
            if (interruptible && loop != null) {
                loop.interrupt();
            }
        }
        stream.close();
        signal();
        if (loop != null && loop != Thread.currentThread()) {
            try {
                if (!loop.join(CLOSE_WAIT)) {
                    log.warn("The sync listener did not return within {}", CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
