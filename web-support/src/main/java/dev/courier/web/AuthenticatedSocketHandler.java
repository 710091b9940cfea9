package dev.courier.web;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.ErrorCode;
import dev.courier.common.Json;
import dev.courier.common.Text;

/**
 * The frame discipline shared by Courier's WebSockets: JSON text frames with a {@code type}; {@code ping} answered with
 * {@code pong}; a malformed frame answered with an {@code error} frame (the session stays open); a WebSocket ping from
 * the server every heartbeat; a session idle past the timeout closed; a session whose token expired closed with 1008.
 * Sends to one session are serialised, so subclasses may send from any thread.
 */
public abstract class AuthenticatedSocketHandler extends TextWebSocketHandler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuthenticatedSocketHandler.class);

    protected static final JsonMapper JSON = Json.MAPPER;

    /** Tolerates a slow client for this long before the session is dropped. */
    private static final int SEND_TIME_LIMIT_MS = 10_000;

    private static final int SEND_BUFFER_LIMIT = 1024 * 1024;

    private final Map<String, Open> sessions = new ConcurrentHashMap<>();

    private final SocketProperties properties;

    private final Clock clock;

    private volatile boolean running;

    protected AuthenticatedSocketHandler(SocketProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * An open session. {@code lastHeard} is written by the server's socket threads (frames, pongs) and read by the
     * keep-alive thread, so it is atomic: a plain field or array element could be seen stale and close a live session.
     */
    private record Open(WebSocketSession session, Caller caller, AtomicLong lastHeard) {}

    /** A client frame other than {@code ping}, with a valid JSON object and a string {@code type}. */
    protected abstract void onFrame(Caller caller, WebSocketSession session, String type, JsonNode frame);

    protected void onOpen(Caller caller, WebSocketSession session) {}

    protected void onClose(Caller caller, WebSocketSession session) {}

    /** How many sessions are open now. */
    public int openSessions() {
        return sessions.size();
    }

    @Override
    public final void afterConnectionEstablished(WebSocketSession raw) {
        Caller caller = (Caller) raw.getAttributes().get(TokenHandshakeInterceptor.CALLER);
        if (caller == null) {
            // the handshake interceptor refuses every session it could not authenticate: never reached
            close(raw, CloseStatus.POLICY_VIOLATION.withReason("not authenticated"));
            return;
        }
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, SEND_TIME_LIMIT_MS, SEND_BUFFER_LIMIT);
        raw.setTextMessageSizeLimit((int) properties.maxFrameSize().toBytes());
        sessions.put(raw.getId(), new Open(session, caller, new AtomicLong(clock.millis())));
        onOpen(caller, session);
    }

    @Override
    protected final void handleTextMessage(WebSocketSession raw, TextMessage message) {
        Open open = sessions.get(raw.getId());
        if (open == null) {
            return;
        }
        open.lastHeard().set(clock.millis());
        if (!open.caller().tokenExpiresAt().isAfter(clock.instant())) {
            close(open.session(), CloseStatus.POLICY_VIOLATION.withReason("token expired"));
            return;
        }
        JsonNode frame;
        try {
            frame = JSON.readTree(message.getPayload());
        } catch (JacksonException e) {
            sendError(open.session(), null, ErrorCode.INVALID_REQUEST, 400, "frame: malformed JSON");
            return;
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isString()) {
            sendError(
                    open.session(),
                    null,
                    ErrorCode.INVALID_REQUEST,
                    400,
                    "frame: must be a JSON object with a string type");
            return;
        }
        String type = frame.path("type").stringValue();
        if (type.equals("ping")) {
            send(open.session(), JSON.createObjectNode().put("type", "pong"));
            return;
        }
        onFrame(open.caller(), open.session(), type, frame);
    }

    @Override
    protected final void handlePongMessage(WebSocketSession raw, PongMessage message) {
        Open open = sessions.get(raw.getId());
        if (open != null) {
            open.lastHeard().set(clock.millis());
        }
    }

    @Override
    public final void afterConnectionClosed(WebSocketSession raw, CloseStatus status) {
        Open open = sessions.remove(raw.getId());
        if (open != null) {
            onClose(open.caller(), open.session());
        }
    }

    @Override
    public final void handleTransportError(WebSocketSession raw, Throwable exception) {
        log.debug("WebSocket {} transport error: {}", raw.getId(), exception.toString());
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * On shutdown, before the web server stops, every session is closed with 1001 (going away), so clients can tell a
     * planned restart from a network failure and reconnect elsewhere.
     */
    @Override
    public void stop() {
        running = false;
        for (Open open : sessions.values()) {
            close(open.session(), CloseStatus.GOING_AWAY.withReason("server shutting down"));
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown (which does not wait for WebSockets). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    /** Sends the heartbeat ping, and closes idle sessions and sessions whose token expired. */
    public void keepAlive() {
        long now = clock.millis();
        for (Open open : sessions.values()) {
            if (now - open.lastHeard().get() > properties.idleTimeout().toMillis()) {
                close(open.session(), CloseStatus.NORMAL.withReason("idle timeout"));
            } else if (!open.caller().tokenExpiresAt().isAfter(clock.instant())) {
                close(open.session(), CloseStatus.POLICY_VIOLATION.withReason("token expired"));
            } else {
                try {
                    open.session().sendMessage(new PingMessage());
                } catch (IOException | RuntimeException e) {
                    close(open.session(), CloseStatus.SESSION_NOT_RELIABLE);
                }
            }
        }
    }

    protected static void send(WebSocketSession session, JsonNode frame) {
        if (!session.isOpen()) {
            return;
        }
        try {
            // untrusted input may be echoed (a clientMsgId, a type): never let a lone surrogate break the write
            session.sendMessage(new TextMessage(Text.wellFormed(frame.toString())));
        } catch (IOException | RuntimeException e) {
            log.debug("Could not send to WebSocket {}: {}", session.getId(), e.toString());
            close(session, CloseStatus.SESSION_NOT_RELIABLE);
        }
    }

    /** {@code {"type":"error", clientMsgId?, status, code, detail, retryAfter?}}. */
    protected static void sendError(
            WebSocketSession session, @Nullable String clientMsgId, ErrorCode code, int status, String detail) {
        sendError(session, clientMsgId, code, status, detail, code == ErrorCode.UNAVAILABLE ? 1 : 0);
    }

    /** An error frame; {@code retryAfter} (seconds) is included when positive, as HTTP's {@code Retry-After}. */
    protected static void sendError(
            WebSocketSession session,
            @Nullable String clientMsgId,
            ErrorCode code,
            int status,
            String detail,
            long retryAfter) {
        ObjectNode frame = JSON.createObjectNode().put("type", "error");
        if (clientMsgId != null) {
            frame.put("clientMsgId", clientMsgId);
        }
        frame.put("status", status).put("code", code.code()).put("detail", detail);
        if (retryAfter > 0) {
            frame.put("retryAfter", retryAfter);
        }
        send(session, frame);
    }

    protected static void close(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        } catch (IOException | RuntimeException e) {
            log.debug("Could not close WebSocket {}: {}", session.getId(), e.toString());
        }
    }
}
