package dev.courier.testinfra.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;

/**
 * A WebSocket client of Courier's sockets ({@code /v1/ws}, {@code /v1/stream}) for tests, on the JDK's
 * {@link java.net.http.WebSocket} only: it collects the server's text frames as JSON, in arrival order and with their
 * arrival time, and records the pings it receives (the JDK answers them with pongs itself) and how the socket closed.
 */
public final class Socket implements AutoCloseable {

    /** A text frame from the server and when it arrived ({@link System#currentTimeMillis()}). */
    public record Frame(JsonNode json, long arrivedAtMillis) {}

    /** How the socket ended: the close code and reason, or 1006 (abnormal closure) when the connection just broke. */
    public record Closed(int code, String reason) {}

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();

    private final AtomicInteger pings = new AtomicInteger();

    private final CompletableFuture<Closed> closed = new CompletableFuture<>();

    private volatile WebSocket webSocket;

    private Socket() {}

    /** Frames of this {@code type}. */
    public static Predicate<JsonNode> type(String type) {
        return frame -> type.equals(frame.path("type").asString(null));
    }

    /** Inbox hints of {@code /v1/stream} that reach {@code seq} or beyond. */
    public static Predicate<JsonNode> hintReaching(long seq) {
        return frame -> "hint".equals(frame.path("type").asString(null))
                && frame.path("seq").isIntegralNumber()
                && frame.path("seq").longValue() >= seq;
    }

    /** Opens a socket with the token in {@code Authorization: Bearer}; fails when the handshake is refused. */
    public static Socket connect(String url, String token) {
        return open(URI.create(url), token);
    }

    /** Opens a socket with the token as the {@code access_token} query parameter, as a browser would. */
    public static Socket connectWithQueryToken(String url, String token) {
        return open(URI.create(url + "?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), null);
    }

    /**
     * The HTTP status with which the server refuses the handshake ({@code bearerToken} null: no token at all).
     *
     * @throws AssertionError when the handshake is accepted
     */
    public static int refusedHandshakeStatus(String url, String bearerToken) {
        Socket accepted;
        try {
            accepted = open(URI.create(url), bearerToken);
        } catch (HandshakeRefused refused) {
            return refused.status;
        }
        accepted.close();
        throw new AssertionError("the handshake to " + url + " was accepted");
    }

    private static Socket open(URI uri, String bearerToken) {
        Socket socket = new Socket();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        if (bearerToken != null) {
            builder.header("Authorization", "Bearer " + bearerToken);
        }
        try {
            socket.webSocket =
                    builder.buildAsync(uri, socket.new Listener()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return socket;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                throw new HandshakeRefused(handshake.getResponse().statusCode());
            }
            throw new IllegalStateException("could not open " + uri, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not open " + uri + " within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A refused handshake and its HTTP status. */
    public static final class HandshakeRefused extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public final int status;

        HandshakeRefused(int status) {
            super("handshake refused with HTTP " + status);
            this.status = status;
        }
    }

    /** Sends a text frame and waits until it is written (not for any answer). */
    public void send(String text) {
        try {
            sendAsync(text).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not send a frame", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts sending a text frame; the future completes once it is written, or fails when the socket broke. */
    public CompletableFuture<WebSocket> sendAsync(String text) {
        return webSocket.sendText(text, true);
    }

    /** The next frame from the server, waiting at most {@code timeout}. */
    public JsonNode next(Duration timeout) {
        return nextFrame(timeout).json();
    }

    public Frame nextFrame(Duration timeout) {
        try {
            Frame frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within " + timeout + "; received so far: " + received);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The first frame matching {@code condition}, skipping (but keeping in {@link #received()}) the others. */
    public JsonNode await(Predicate<JsonNode> condition, Duration timeout) {
        return awaitFrame(condition, timeout).json();
    }

    public Frame awaitFrame(Predicate<JsonNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Frame frame;
            try {
                frame = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (frame == null) {
                throw new AssertionError("no matching frame within " + timeout + "; received so far: " + received);
            }
            if (condition.test(frame.json())) {
                return frame;
            }
        }
    }

    /** Frames not yet taken by {@link #next} or {@link #await}, without waiting. */
    public List<JsonNode> drain() {
        List<Frame> drained = new java.util.ArrayList<>();
        frames.drainTo(drained);
        return drained.stream().map(Frame::json).toList();
    }

    /** Every frame received so far, in arrival order. */
    public List<JsonNode> received() {
        return List.copyOf(received);
    }

    /** WebSocket pings received from the server so far. */
    public int pings() {
        return pings.get();
    }

    /** How the socket closed, waiting at most {@code timeout} for it. */
    public Closed awaitClosed(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the socket is still open after " + timeout, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the connection without a close handshake, as a client that lost its network would. */
    public void abort() {
        webSocket.abort();
    }

    @Override
    public void close() {
        WebSocket socket = webSocket;
        if (socket == null) {
            return;
        }
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
            }
            closed.get(2, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the server is gone or slow: abort below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            socket.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket socket) {
            socket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long arrived = System.currentTimeMillis();
                String text = partial.toString();
                partial.setLength(0);
                JsonNode json = Json.MAPPER.readTree(text);
                received.add(json);
                frames.add(new Frame(json, arrived));
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket socket, ByteBuffer message) {
            pings.incrementAndGet();
            socket.request(1); // the JDK sends the pong itself
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.complete(new Closed(1006, String.valueOf(error)));
        }
    }
}
