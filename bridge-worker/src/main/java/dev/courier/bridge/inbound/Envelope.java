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
import dev.courier.common.Records;

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
        // asInt() would throw outside the int range: checked first, so every value is a rejection
        JsonNode version = node.path("v");
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() != 1) {
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
            // present, so never "required": a value of another JSON type is no instant either
            sentAt = instant(node.get("sentAt"));
            if (sentAt == null) {
                throw new Rejected(ErrorCode.INVALID_REQUEST, "sentAt: must be an ISO-8601 instant");
            }
            if (!Records.fitsEpochMillis(sentAt)) {
                throw new Rejected(ErrorCode.INVALID_REQUEST, "sentAt: " + Records.EPOCH_MILLIS_RULE);
            }
        }
        return new Envelope(system, externalId, identity, to, kind, node.get("content"), sentAt);
    }

    private static @Nullable Instant instant(JsonNode value) {
        try {
            return value.isString() ? Instant.parse(value.stringValue()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.stringValue().isEmpty()) {
            throw new Rejected(ErrorCode.INVALID_REQUEST, field + ": is required (a non-empty string)");
        }
        return value.stringValue();
    }
}
