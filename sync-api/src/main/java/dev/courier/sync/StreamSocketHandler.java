package dev.courier.sync;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.ErrorCode;
import dev.courier.common.SyncKeyCodec;
import dev.courier.ops.Background;
import dev.courier.web.ApiException;
import dev.courier.web.AuthenticatedSocketHandler;
import dev.courier.web.Caller;
import dev.courier.web.SocketProperties;

/**
 * {@code GET /v1/stream}: pushes {@code {"type":"hint","seq":N}} when the user's inbox reaches seq N (seq only ever
 * increases on one stream; several entries may share one hint) and {@code {"type":"hint","data":"account"|"contacts"}}
 * when those changed; answers {@code {"type":"sync", syncKey?, limit?}} with {@code {"type":"delta", ...}}, the body of
 * {@code POST /v1/sync}. The user's hint channel is subscribed while the stream is open, and the device counts as
 * present ({@link DevicePresence}): it gets no pushes.
 */
@Component
class StreamSocketHandler extends AuthenticatedSocketHandler {

    private final SyncService sync;

    private final HintSubscriptions hints;

    private final SyncProperties properties;

    private final Map<String, HintSubscriptions.Subscription> subscriptions = new ConcurrentHashMap<>();

    private final DevicePresence presence;

    /** The presence of each open stream's device, by session. */
    private final Map<String, DevicePresence.Hold> presences = new ConcurrentHashMap<>();

    /** Writes the hints of each stream, off the Redis thread. */
    private final Executor executor;

    StreamSocketHandler(
            SyncService sync,
            HintSubscriptions hints,
            DevicePresence presence,
            SyncProperties syncProperties,
            SocketProperties properties,
            Clock clock,
            @Qualifier(Background.EXECUTOR) Executor executor) {
        super(properties, clock);
        this.sync = sync;
        this.hints = hints;
        this.presence = presence;
        this.properties = syncProperties;
        this.executor = executor;
    }

    @Override
    protected void onOpen(Caller caller, WebSocketSession session) {
        Hinter hinter = new Hinter(session, executor);
        subscriptions.put(session.getId(), hints.subscribe(caller.userId(), hinter::offer));
        presences.put(session.getId(), presence.hold(caller.userId(), caller.deviceId(), false));
    }

    /**
     * Writes one stream's hints off the Redis thread, so a client that stops reading holds up only itself. Hints
     * that arrive while one is being written are coalesced: the newest seq wins, and seq never goes back.
     */
    private static final class Hinter {

        private final WebSocketSession session;

        private final Executor executor;

        private final AtomicLong newestSeq = new AtomicLong();

        private final AtomicLong sentSeq = new AtomicLong();

        private final Set<String> data = ConcurrentHashMap.newKeySet();

        private final AtomicBoolean writing = new AtomicBoolean();

        Hinter(WebSocketSession session, Executor executor) {
            this.session = session;
            this.executor = executor;
        }

        void offer(HintSubscriptions.Hint hint) {
            if (hint.isInbox()) {
                newestSeq.accumulateAndGet(hint.seq(), Math::max);
            } else {
                data.add(hint.what());
            }
            if (writing.compareAndSet(false, true)) {
                executor.execute(this::write);
            }
        }

        private void write() {
            do {
                for (String what : data) {
                    data.remove(what);
                    send(session, JSON.createObjectNode().put("type", "hint").put("data", what));
                }
                long seq = newestSeq.get();
                if (seq > sentSeq.get()) {
                    sentSeq.set(seq);
                    send(session, JSON.createObjectNode().put("type", "hint").put("seq", seq));
                }
                writing.set(false);
                // a hint offered after the checks above but before the flag was cleared is written now
            } while ((newestSeq.get() > sentSeq.get() || !data.isEmpty()) && writing.compareAndSet(false, true));
        }
    }

    @Override
    protected void onClose(Caller caller, WebSocketSession session) {
        HintSubscriptions.Subscription subscription = subscriptions.remove(session.getId());
        if (subscription != null) {
            subscription.close();
        }
        DevicePresence.Hold held = presences.remove(session.getId());
        if (held != null) {
            held.close();
        }
    }

    @Override
    protected void onFrame(Caller caller, WebSocketSession session, String type, JsonNode frame) {
        if (!type.equals("sync")) {
            sendError(session, null, ErrorCode.INVALID_REQUEST, 400, "type: must be sync or ping, not '" + type + "'");
            return;
        }
        JsonNode key = frame.path("syncKey");
        JsonNode limitNode = frame.path("limit");
        if (!key.isMissingNode() && !key.isNull() && !key.isString()) {
            sendError(session, null, ErrorCode.INVALID_REQUEST, 400, "syncKey: must be a string");
            return;
        }
        int limit = properties.defaultLimit();
        if (!limitNode.isMissingNode() && !limitNode.isNull()) {
            if (!limitNode.isIntegralNumber()
                    || !limitNode.canConvertToInt()
                    || limitNode.intValue() < 1
                    || limitNode.intValue() > properties.maxLimit()) {
                sendError(
                        session,
                        null,
                        ErrorCode.INVALID_REQUEST,
                        400,
                        "limit: must be between 1 and " + properties.maxLimit());
                return;
            }
            limit = limitNode.intValue();
        }
        try {
            SyncResponse delta = sync.sync(caller, key.isString() ? key.stringValue() : null, limit);
            ObjectNode answer = JSON.createObjectNode().put("type", "delta");
            answer.setAll((ObjectNode) JSON.valueToTree(delta));
            send(session, answer);
        } catch (SyncKeyCodec.InvalidSyncKeyException e) {
            sendError(session, null, ErrorCode.INVALID_SYNC_KEY, 400, "syncKey: " + e.getMessage());
        } catch (ApiException e) {
            sendError(session, null, e.code(), e.status(), e.getMessage());
        } catch (DataAccessException e) {
            sendError(session, null, ErrorCode.UNAVAILABLE, 503, "the database is unavailable; retry later");
        }
    }
}
