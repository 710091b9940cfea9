package dev.courier.bridge.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Address;
import dev.courier.common.ErrorCode;
import dev.courier.common.Ids;
import dev.courier.common.Json;
import dev.courier.common.MessageContent;

/**
 * A validated inbound bridge envelope (PROTOCOL.md, "Bridge envelope"), with the Courier identity of its sender,
 * {@code <system>.<from>}.
 */
record Envelope(
        String system,
        String externalId,
        String identity,
        Address to,
        String kind,
        JsonNode content,
        @Nullable Instant sentAt) {

    /** Why an envelope can never be delivered. */
    static final class Rejected extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /** Never null: every constructor sets the message. */
        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

        private final ErrorCode reason;

        Rejected(ErrorCode reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        ErrorCode reason() {
            return reason;
        }
    }

    /**
     * Reads an envelope from topic {@code courier.bridge.in.<system>}.
     *
     * @throws Rejected naming the field when it is not a deliverable envelope
     */
    static Envelope read(String topicSystem, @Nullable String value, int maxBytes, int maxTextBytes) {
        if (value == null) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, "envelope: the record has no value");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new Rejected(
                    ErrorCode.PAYLOAD_TOO_LARGE, "envelope: " + bytes + " bytes, at most " + maxBytes + " are allowed");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(value);
        } catch (JacksonException e) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, "envelope: not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, "envelope: must be a JSON object");
        }
        if (!node.path("v").isIntegralNumber() || node.path("v").asInt() != 1) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, "v: must be 1");
        }
        String system = text(node, "system");
        if (!system.equals(topicSystem)) {
            throw new Rejected(
                    ErrorCode.FORBIDDEN,
                    "system: '" + system + "' may not publish on the topic of '" + topicSystem + "'");
        }
        String externalId = text(node, "externalId");
        if (!Ids.isClientMsgId(externalId)) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, "externalId: " + Ids.CLIENT_MSG_ID_RULE);
        }
        String identity = system + "." + text(node, "from");
        if (!Ids.isUserId(identity)) {
            throw new Rejected(
                    ErrorCode.INVALID_REQUEST, "from: '<system>.<from>' must be a user id, " + Ids.USER_ID_RULE);
        }
        Address to;
        try {
            to = Address.parse(text(node, "to"));
        } catch (IllegalArgumentException e) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, "to: " + e.getMessage());
        }
        String kind = text(node, "kind");
        MessageContent.Problem problem = MessageContent.check(kind, node.get("content"), maxTextBytes);
        if (problem != null) {
            throw new Rejected(problem.code(), problem.detail());
        }
        Instant sentAt = null;
        if (node.hasNonNull("sentAt")) {
            try {
                sentAt = Instant.parse(text(node, "sentAt"));
            } catch (DateTimeParseException e) {
                throw new Rejected(ErrorCode.INVALID_REQUEST, "sentAt: must be an ISO-8601 instant");
            }
        }
        return new Envelope(system, externalId, identity, to, kind, node.get("content"), sentAt);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.stringValue().isEmpty()) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, field + ": is required (a non-empty string)");
        }
        return value.stringValue();
    }
}
