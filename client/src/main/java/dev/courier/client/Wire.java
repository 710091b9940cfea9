package dev.courier.client;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON forms of PROTOCOL.md that the client reads and writes. */
final class Wire {

    private static final Set<String> MEDIA_FIELDS = Set.of("url", "mime", "size");

    private Wire() {}

    /** A delta of the sync API, reduced to what the client uses. */
    record Delta(
            String syncKey,
            boolean hasMore,
            boolean resync,
            List<Message> messages,
            List<Conversation> conversations) {}

    static Delta delta(JsonNode body) {
        String key = body.path("syncKey").asString("");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a delta without a syncKey");
        }
        List<Message> messages = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            messages.add(message(message));
        }
        return new Delta(
                key,
                body.path("hasMore").asBoolean(false),
                body.path("resync").asBoolean(false),
                List.copyOf(messages),
                conversations(body.path("conversations")));
    }

    static List<Conversation> conversations(JsonNode array) {
        List<Conversation> conversations = new ArrayList<>();
        for (JsonNode state : array) {
            conversations.add(conversation(state));
        }
        return List.copyOf(conversations);
    }

    /** Like {@link #message}, never fails on a field it cannot read. */
    static Conversation conversation(JsonNode c) {
        JsonNode last = c.path("lastMessage");
        JsonNode peer = c.path("peerReadSeq");
        return new Conversation(
                c.path("conversation").asString(""),
                c.path("lastConvSeq").asLong(0),
                last.isObject()
                        ? new Conversation.LastMessage(
                                last.path("convSeq").asLong(0),
                                last.path("messageId").asString(""),
                                last.path("from").asString(""),
                                content(last.path("kind").asString(""), last.path("content")),
                                instant(last.path("sentAt").asString("")))
                        : null,
                c.path("readSeq").asLong(0),
                c.path("unread").asInt(0),
                peer.isNumber() ? peer.asLong() : null,
                c.path("muted").asBoolean(false),
                c.path("version").asLong(0));
    }

    /** Never fails on a field it cannot read: one odd message must not stop the delivery of all that follow. */
    static Message message(JsonNode m) {
        return new Message(
                m.path("seq").asLong(0),
                m.path("messageId").asString(""),
                m.path("clientMsgId").asString(""),
                m.path("conversation").asString(""),
                m.path("convSeq").asLong(0),
                m.path("from").asString(""),
                content(m.path("kind").asString(""), m.path("content")),
                instant(m.path("sentAt").asString("")));
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    static Content content(String kind, JsonNode content) {
        if (kind.equals("text") && content.isString()) {
            return new Content.Text(content.stringValue());
        }
        if (Content.MEDIA_KINDS.contains(kind) && content.isObject()) {
            Map<String, Object> extra = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : content.properties()) {
                if (!MEDIA_FIELDS.contains(field.getKey()) && !field.getValue().isNull()) {
                    extra.put(field.getKey(), Http.JSON.treeToValue(field.getValue(), Object.class));
                }
            }
            return new Content.Media(
                    kind,
                    content.path("url").asString(""),
                    content.path("mime").asString(""),
                    content.path("size").asLong(0),
                    extra);
        }
        return new Content.Other(kind, content.toString());
    }

    static JsonNode content(Content content) {
        return switch (content) {
            case Content.Text text -> Http.JSON.getNodeFactory().stringNode(text.text());
            case Content.Media media -> {
                ObjectNode node = Http.JSON.valueToTree(media.extra());
                node.put("url", media.url()).put("mime", media.mime()).put("size", media.size());
                yield node;
            }
            case Content.Other other -> Http.parse(other.json());
        };
    }
}
