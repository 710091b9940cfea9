package dev.courier.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A long link: one WebSocket to a Courier endpoint that keeps itself open. It authenticates with the current token
 * (logging in again after a 401 handshake or a close with 1008), pings at the {@link HeartbeatPolicy}'s interval and
 * drops a connection whose ping is not answered within the first-response timeout, and reopens a lost connection after
 * a randomized {@link Backoff} pause, so that a restarted server is not hit by all its clients at once.
 */
final class Link implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Link.class);

    private static final int POLICY_VIOLATION = 1008;

    private static final String PING = "{\"type\":\"ping\"}";

    /** What the link's owner hears; called from the WebSocket's threads, so it must not block. */
    interface Handler {

        /** A JSON frame other than {@code pong}. */
        void onFrame(JsonNode frame);

        /** A connection is open (again). */
        void onUp();

        /** The connection was lost; a new one is on its way. */
        void onDown();
    }

    private final String name;

    private final URI uri;

    private final HttpClient client;

    private final Auth auth;

    private final ClientSettings settings;

    private final ScheduledExecutorService scheduler;

    private final RandomGenerator random;

    private final Handler handler;

    private final HeartbeatPolicy heartbeat;

    private boolean started;

    private boolean closed;

    /** The connection being opened or open; null while waiting to reconnect. */
    private @Nullable Connection current;

    /** Consecutive connections that failed or were lost before they proved stable. */
    private int failures;

    private @Nullable ScheduledFuture<?> timer;

    Link(
            String name,
            URI uri,
            HttpClient client,
            Auth auth,
            ClientSettings settings,
            ScheduledExecutorService scheduler,
            RandomGenerator random,
            Handler handler) {
        this.name = name;
        this.uri = uri;
        this.client = client;
        this.auth = auth;
        this.settings = settings;
        this.scheduler = scheduler;
        this.random = random;
        this.handler = handler;
        this.heartbeat = new HeartbeatPolicy(settings.heartbeatMin(), settings.heartbeatMax());
    }

    /** Opens the link, once; later calls do nothing. */
    synchronized void start() {
        if (!started && !closed) {
            started = true;
            schedule(
                    Duration.ZERO,
                    () -> Thread.ofVirtual()
                            .name("courier-" + name + "-connect")
                            .start(this::connect));
        }
    }

    /** Whether a connection is open now. */
    synchronized boolean isUp() {
        return current != null && current.socket != null;
    }

    /** Sends a text frame on the open connection; fails at once when there is none. */
    CompletableFuture<Void> send(String text) {
        Connection connection;
        synchronized (this) {
            connection = current;
        }
        if (connection == null || connection.socket == null) {
            return CompletableFuture.failedFuture(new IOException(name + " link is down"));
        }
        return connection.send(text);
    }

    /** Drops the open connection, whose answers can no longer be trusted, and reconnects. */
    void drop(String reason) {
        Connection connection;
        synchronized (this) {
            connection = current;
        }
        if (connection != null && connection.socket != null) {
            lost(connection, 1006, reason);
        }
    }

    private void connect() {
        Connection connection;
        synchronized (this) {
            if (closed || current != null) {
                return;
            }
            connection = new Connection();
            current = connection;
        }
        Duration handshake = settings.connectTimeout().plus(settings.firstResponseTimeout());
        CompletableFuture<WebSocket> opening = null;
        try {
            connection.token = auth.token();
            opening = client.newWebSocketBuilder()
                    .connectTimeout(settings.connectTimeout())
                    .header("Authorization", "Bearer " + connection.token)
                    .buildAsync(uri, connection);
            WebSocket socket = opening.get(handshake.toMillis(), TimeUnit.MILLISECONDS);
            opened(connection, socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(connection, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused
                    && refused.getResponse().statusCode() == 401
                    && connection.token != null) {
                auth.refused(connection.token);
            }
            failed(connection, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            opening.thenAccept(WebSocket::abort);
            failed(connection, "no handshake within " + Retries.human(handshake));
        } catch (CourierException e) {
            log.warn("{} link cannot log in: {}", name, e.getMessage());
            failed(connection, e.getMessage());
        } catch (IOException | RuntimeException e) {
            failed(connection, e.toString());
        }
    }

    private void opened(Connection connection, WebSocket socket) {
        synchronized (this) {
            if (closed || current != connection) {
                socket.abort();
                return;
            }
            connection.socket = socket;
            connection.lastHeard = System.nanoTime();
            scheduleHeartbeat(connection);
        }
        log.info("{} link up: {}", name, uri);
        notify(handler::onUp);
    }

    private void failed(Connection connection, String reason) {
        Duration pause;
        synchronized (this) {
            if (current != connection) {
                return;
            }
            current = null;
            if (closed) {
                return;
            }
            pause = settings.reconnectBackoff().delay(failures++, random);
            schedule(
                    pause,
                    () -> Thread.ofVirtual()
                            .name("courier-" + name + "-connect")
                            .start(this::connect));
        }
        log.debug("{} link could not connect ({}); next attempt in {} ms", name, reason, pause.toMillis());
    }

    /** The connection was lost (closed by the server, a network error, or no pong in time). */
    private void lost(Connection connection, int code, String reason) {
        Duration pause;
        synchronized (this) {
            if (current != connection) {
                return;
            }
            current = null;
            if (closed) {
                return;
            }
            heartbeat.dropped();
            pause = settings.reconnectBackoff().delay(failures++, random);
            schedule(
                    pause,
                    () -> Thread.ofVirtual()
                            .name("courier-" + name + "-connect")
                            .start(this::connect));
        }
        if (code == POLICY_VIOLATION && connection.token != null) {
            auth.refused(connection.token);
        }
        WebSocket socket = connection.socket;
        if (socket != null) {
            socket.abort();
            log.info("{} link down ({} {}); reconnecting in {} ms", name, code, reason, pause.toMillis());
            notify(handler::onDown);
        }
    }

    private void scheduleHeartbeat(Connection connection) {
        schedule(heartbeat.interval(), () -> ping(connection));
    }

    private void ping(Connection connection) {
        long sentAt = System.nanoTime();
        synchronized (this) {
            if (current != connection) {
                return;
            }
            connection.pingSentAt = sentAt;
            schedule(settings.firstResponseTimeout(), () -> checkPong(connection, sentAt));
        }
        connection.send(PING);
    }

    private void checkPong(Connection connection, long sentAt) {
        synchronized (this) {
            if (current != connection || connection.pingSentAt != sentAt) {
                return;
            }
            if (connection.lastHeard - sentAt > 0) {
                // no pong yet, but the link carried other frames since the ping: alive, only busy
                connection.pingSentAt = 0;
                scheduleHeartbeat(connection);
                return;
            }
        }
        lost(connection, 1006, "no answer to a ping within " + Retries.human(settings.firstResponseTimeout()));
    }

    private void pong(Connection connection) {
        synchronized (this) {
            if (current != connection || connection.pingSentAt == 0) {
                return;
            }
            connection.pingSentAt = 0;
            failures = 0; // the connection proved itself: the next loss starts the back-off afresh
            heartbeat.succeeded();
            scheduleHeartbeat(connection);
        }
    }

    private void received(Connection connection, String text) {
        JsonNode frame;
        try {
            frame = Http.JSON.readTree(text);
        } catch (JacksonException e) {
            log.debug("{} link ignores a frame that is not JSON", name);
            return;
        }
        if ("pong".equals(frame.path("type").asString(""))) {
            pong(connection);
            return;
        }
        synchronized (this) {
            if (current != connection) {
                return;
            }
        }
        notify(() -> handler.onFrame(frame));
    }

    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("{} link handler failed", name, e);
        }
    }

    /** Replaces the pending timer (a ping, a pong check or a reconnect: only one is due at any time). */
    private void schedule(Duration delay, Runnable task) {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Closes the connection; the link does not reconnect. */
    @Override
    public void close() {
        Connection connection;
        synchronized (this) {
            closed = true;
            if (timer != null) {
                timer.cancel(false);
            }
            connection = current;
            current = null;
        }
        WebSocket socket = connection == null ? null : connection.socket;
        if (socket != null) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
                    .orTimeout(1, TimeUnit.SECONDS)
                    .whenComplete((ignored, error) -> socket.abort());
        }
    }

    /** One WebSocket connection, with the JDK listener that feeds the link. */
    private final class Connection implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        /** Sends on one WebSocket must not overlap: each waits for the previous one. */
        private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

        volatile @Nullable String token;

        volatile @Nullable WebSocket socket;

        volatile long lastHeard;

        /** When the outstanding ping was sent, 0 when none is. */
        volatile long pingSentAt;

        synchronized CompletableFuture<Void> send(String text) {
            WebSocket ws = socket;
            if (ws == null) {
                return CompletableFuture.failedFuture(new IOException(name + " link is down"));
            }
            CompletableFuture<Void> sent = sends.exceptionally(error -> null)
                    .thenCompose(ignored -> ws.sendText(text, true))
                    .thenApply(ignored -> null);
            sends = sent;
            return sent;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastHeard = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(this, text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            // the JDK answers with a pong by itself; the server's ping proves the link as well
            lastHeard = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            lastHeard = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost(this, statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost(this, 1006, error.toString());
        }
    }
}
