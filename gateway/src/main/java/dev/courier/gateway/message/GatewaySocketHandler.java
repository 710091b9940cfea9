package dev.courier.gateway.message;

import java.time.Clock;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.Executor;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.courier.common.ErrorCode;
import dev.courier.ops.Background;
import dev.courier.web.ApiException;
import dev.courier.web.AuthenticatedSocketHandler;
import dev.courier.web.Caller;
import dev.courier.web.SocketProperties;

/**
 * {@code GET /v1/ws}: sends over one long-lived connection (PROTOCOL.md, "Gateway WebSocket frames"). Each
 * {@code send} frame is validated in arrival order and its write to the log is started at once, so many sends are in
 * flight and a socket's sends keep their order; each is answered by an {@code ack} or an {@code error} frame carrying
 * its {@code clientMsgId}, with the same idempotency and errors as {@code POST /v1/messages}.
 */
@Component
class GatewaySocketHandler extends AuthenticatedSocketHandler {

    private final SendService sends;

    private final Validator validator;

    /** Writes the answers, off the Kafka producer's thread: a client that stops reading blocks only its own. */
    private final Executor writers;

    GatewaySocketHandler(
            SendService sends,
            Validator validator,
            SocketProperties properties,
            Clock clock,
            @Qualifier(Background.EXECUTOR) Executor writers) {
        super(properties, clock);
        this.sends = sends;
        this.validator = validator;
        this.writers = writers;
    }

    @Override
    protected void onFrame(Caller caller, WebSocketSession session, String type, JsonNode frame) {
        String clientMsgId =
                frame.path("clientMsgId").isString() ? frame.path("clientMsgId").stringValue() : null;
        if (!type.equals("send")) {
            sendError(
                    session,
                    clientMsgId,
                    ErrorCode.INVALID_REQUEST,
                    400,
                    "type: must be send or ping, not '" + type + "'");
            return;
        }
        try {
            SendService.Send send = parse(frame);
            // answered off the Kafka producer's thread: a client that stops reading blocks only its own writer
            sends.sendAsync(caller, send)
                    .whenCompleteAsync(
                            (accepted, failure) -> {
                                if (failure == null) {
                                    send(
                                            session,
                                            JSON.createObjectNode()
                                                    .put("type", "ack")
                                                    .put("clientMsgId", accepted.clientMsgId())
                                                    .put("messageId", accepted.messageId())
                                                    .put(
                                                            "acceptedAt",
                                                            accepted.acceptedAt()
                                                                    .toString()));
                                } else {
                                    ApiException error = failure.getCause() instanceof ApiException api
                                            ? api
                                            : failure instanceof ApiException api
                                                    ? api
                                                    : ApiException.unavailable("the message log is unavailable; retry");
                                    sendError(session, clientMsgId, error.code(), error.status(), error.getMessage());
                                }
                            },
                            writers);
        } catch (ApiException e) {
            if (e.retryAfterSeconds() > 0) {
                sendError(session, clientMsgId, e.code(), e.status(), e.getMessage(), e.retryAfterSeconds());
                return;
            }
            sendError(session, clientMsgId, e.code(), e.status(), e.getMessage());
        } catch (DataAccessException e) {
            sendError(session, clientMsgId, ErrorCode.UNAVAILABLE, 503, "the database is unavailable; retry later");
        }
    }

    private SendService.Send parse(JsonNode frame) {
        SendService.Send send;
        try {
            send = JSON.treeToValue(frame, SendService.Send.class);
        } catch (JacksonException e) {
            throw ApiException.invalid("frame: " + e.getOriginalMessage());
        }
        Set<ConstraintViolation<SendService.Send>> violations = validator.validate(send);
        if (!violations.isEmpty()) {
            ConstraintViolation<SendService.Send> first = violations.stream()
                    .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .findFirst()
                    .orElseThrow();
            throw ApiException.invalid(first.getPropertyPath() + ": " + first.getMessage());
        }
        return send;
    }
}
