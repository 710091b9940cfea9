package dev.courier.client;

import java.time.Duration;
import java.util.Objects;

/**
 * The client's timeouts, back-offs and heartbeat bounds. Start from {@link #defaults()} and change what you need with
 * the {@code with...} methods.
 *
 * @param connectTimeout how long opening a connection (TCP, TLS, WebSocket handshake) may take
 * @param firstResponseTimeout how long one attempt waits for the server's answer once the request is out (the HTTP
 *        response headers, the WebSocket {@code ack}, {@code delta} or {@code pong}); a long poll waits this much
 *        longer than its {@code waitMs}
 * @param sendTimeout the total time of one send, all attempts and pauses included; then its future fails with a
 *        {@link java.util.concurrent.TimeoutException} (the same {@code clientMsgId} may be sent again later)
 * @param retryBackoff pauses between attempts of one request
 * @param reconnectBackoff pauses between attempts to reopen a dropped WebSocket
 * @param heartbeatMin the shortest heartbeat interval: the interval after repeated drops
 * @param heartbeatMax the longest heartbeat interval, reached while the connection proves stable; keep it, plus
 *        {@code firstResponseTimeout}, below the server's idle timeout (60 s by default)
 * @param longPollWait the {@code waitMs} of a long poll while the stream is down (at most 30 s)
 * @param quietSyncInterval while streaming, how long the loop waits without a hint before syncing anyway (hints are
 *        best effort)
 * @param syncLimit messages per delta, 0 for the server's default
 * @param gatewaySocket whether sends use the gateway WebSocket when it is connected (otherwise always REST)
 * @param targetWait how long a call about a message (a reply, recall, edit, delete or reaction) retries the server's
 *        answer that it does not know the message ({@code 404}, or a send's {@code 400} naming {@code replyTo}): that
 *        is the answer about a message accepted a moment ago until the pipeline has stored it; counted from the first
 *        such answer, within the call's total time ({@code sendTimeout})
 */
public record ClientSettings(
        Duration connectTimeout,
        Duration firstResponseTimeout,
        Duration sendTimeout,
        Backoff retryBackoff,
        Backoff reconnectBackoff,
        Duration heartbeatMin,
        Duration heartbeatMax,
        Duration longPollWait,
        Duration quietSyncInterval,
        int syncLimit,
        boolean gatewaySocket,
        Duration targetWait) {

    private static final Duration MAX_LONG_POLL = Duration.ofSeconds(30);

    public ClientSettings {
        positive(connectTimeout, "connectTimeout");
        positive(firstResponseTimeout, "firstResponseTimeout");
        positive(sendTimeout, "sendTimeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(reconnectBackoff, "reconnectBackoff");
        positive(heartbeatMin, "heartbeatMin");
        positive(heartbeatMax, "heartbeatMax");
        if (heartbeatMax.compareTo(heartbeatMin) < 0) {
            throw new IllegalArgumentException("heartbeatMax: must not be below heartbeatMin");
        }
        positive(longPollWait, "longPollWait");
        if (longPollWait.compareTo(MAX_LONG_POLL) > 0) {
            throw new IllegalArgumentException("longPollWait: must be at most " + MAX_LONG_POLL);
        }
        positive(quietSyncInterval, "quietSyncInterval");
        if (syncLimit < 0 || syncLimit > 500) {
            throw new IllegalArgumentException("syncLimit: must be between 0 (server default) and 500");
        }
        Objects.requireNonNull(targetWait, "targetWait");
        if (targetWait.isNegative()) {
            throw new IllegalArgumentException("targetWait: must not be negative, not " + targetWait);
        }
    }

    /**
     * Connect 5 s, first response 10 s, send 60 s in total; retries from 0.2 s up to 10 s, reconnects from 0.5 s up to
     * 30 s, both doubling; heartbeat between 10 s and 45 s; long polls of 25 s; a quiet stream synced every 60 s; a
     * message not stored yet waited for 10 s.
     */
    public static ClientSettings defaults() {
        return new ClientSettings(
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 2),
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 2),
                Duration.ofSeconds(10),
                Duration.ofSeconds(45),
                Duration.ofSeconds(25),
                Duration.ofSeconds(60),
                0,
                true,
                Duration.ofSeconds(10));
    }

    public ClientSettings withConnectTimeout(Duration value) {
        return new ClientSettings(
                value,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withFirstResponseTimeout(Duration value) {
        return new ClientSettings(
                connectTimeout,
                value,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withSendTimeout(Duration value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                value,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withRetryBackoff(Backoff value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                value,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withReconnectBackoff(Backoff value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                value,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withHeartbeat(Duration min, Duration max) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                min,
                max,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withLongPollWait(Duration value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                value,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withQuietSyncInterval(Duration value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                value,
                syncLimit,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withSyncLimit(int value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                value,
                gatewaySocket,
                targetWait);
    }

    public ClientSettings withGatewaySocket(boolean value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                value,
                targetWait);
    }

    public ClientSettings withTargetWait(Duration value) {
        return new ClientSettings(
                connectTimeout,
                firstResponseTimeout,
                sendTimeout,
                retryBackoff,
                reconnectBackoff,
                heartbeatMin,
                heartbeatMax,
                longPollWait,
                quietSyncInterval,
                syncLimit,
                gatewaySocket,
                value);
    }

    private static void positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": must be positive, not " + value);
        }
    }
}
