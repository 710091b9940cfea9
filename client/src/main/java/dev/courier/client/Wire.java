package dev.courier.client;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
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
            List<Conversation> conversations,
            List<Group> groups) {}

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
                conversations(body.path("conversations")),
                groups(body.path("groups")));
    }

    static List<Group> groups(JsonNode array) {
        List<Group> groups = new ArrayList<>();
        for (JsonNode group : array) {
            groups.add(group(group));
        }
        return List.copyOf(groups);
    }

    /**
     * A group object, whole or, for a group the user left, {@code {groupId, name, version, left: true}}; like
     * {@link #message}, never fails on a field it cannot read.
     */
    static Group group(JsonNode g) {
        List<String> members = strings(g.path("members"));
        JsonNode count = g.path("memberCount");
        return new Group(
                g.path("groupId").asString(""),
                g.path("name").asString(""),
                g.path("owner").asString(""),
                members,
                strings(g.path("admins")),
                g.path("announcement").asString(""),
                g.path("muted").asBoolean(false),
                count.isInt() ? count.asInt() : members.size(),
                g.path("version").asLong(0),
                g.path("left").asBoolean(false),
                g.path("dissolved").asBoolean(false));
    }

    /** The strings of an array, leaving out anything else. */
    static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(value -> {
            if (value.isString()) {
                strings.add(value.stringValue());
            }
        });
        return strings;
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
                                content(last),
                                instant(last.path("sentAt").asString("")),
                                optionalString(last.path("replyTo")),
                                optionalInstant(last.path("editedAt")))
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
                content(m),
                instant(m.path("sentAt").asString("")),
                optionalString(m.path("replyTo")),
                optionalInstant(m.path("editedAt")),
                reactions(m.path("reactions")));
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static @Nullable Instant optionalInstant(JsonNode value) {
        if (!value.isString()) {
            return null;
        }
        try {
            return Instant.parse(value.stringValue());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static @Nullable String optionalString(JsonNode value) {
        return value.isString() ? value.stringValue() : null;
    }

    /** {@code {emoji: [userId...]}}, in the server's order. */
    private static Map<String, List<String>> reactions(JsonNode reactions) {
        Map<String, List<String>> all = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> emoji : reactions.properties()) {
            List<String> users = new ArrayList<>();
            emoji.getValue().forEach(user -> {
                if (user.isString()) {
                    users.add(user.stringValue());
                }
            });
            if (!users.isEmpty()) {
                all.put(emoji.getKey(), users);
            }
        }
        return all;
    }

    /** The content of a message object: what it carries, what is left once it was recalled, or an entry's change. */
    private static Content content(JsonNode message) {
        String kind = message.path("kind").asString("");
        if (message.path("recalled").asBoolean(false)) {
            return new Content.Recalled(kind);
        }
        return content(kind, message.path("content"));
    }

    static Content content(String kind, JsonNode content) {
        if (kind.equals("system")) {
            return systemEvent(content);
        }
        String target =
                content.path("target").isString() ? content.path("target").stringValue() : null;
        if (target != null) {
            switch (kind) {
                case "recall" -> {
                    return new Content.Recall(target);
                }
                case "delete" -> {
                    return new Content.Delete(target);
                }
                case "edit" -> {
                    if (content.path("text").isString()) {
                        return new Content.Edit(target, content.path("text").stringValue());
                    }
                }
                case "reaction" -> {
                    if (content.path("emoji").isString()
                            && content.path("added").isBoolean()) {
                        return new Content.Reaction(
                                target,
                                content.path("emoji").stringValue(),
                                content.path("added").booleanValue());
                    }
                }
                default -> {
                    // below
                }
            }
        }
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

    /** The content of a system message; an event it does not know, or one without its fields, stays readable. */
    static Content.SystemEvent systemEvent(JsonNode content) {
        String event = content.path("event").asString("");
        JsonNode userId = content.path("userId");
        Content.SystemEvent known = switch (event) {
            case "group.created" ->
                content.path("name").isString() && content.path("members").isArray()
                        ? new Content.GroupCreated(content.path("name").stringValue(), strings(content.path("members")))
                        : null;
            case "members.added" ->
                content.path("userIds").isArray() ? new Content.MembersAdded(strings(content.path("userIds"))) : null;
            case "member.removed" -> userId.isString() ? new Content.MemberRemoved(userId.stringValue()) : null;
            case "group.updated" ->
                new Content.GroupUpdated(
                        optionalString(content.path("name")),
                        optionalString(content.path("announcement")),
                        content.path("muted").isBoolean()
                                ? content.path("muted").booleanValue()
                                : null);
            case "admin.added", "admin.removed" ->
                userId.isString() ? new Content.AdminChanged(userId.stringValue(), event.equals("admin.added")) : null;
            case "owner.changed" -> userId.isString() ? new Content.OwnerChanged(userId.stringValue()) : null;
            case "group.dissolved" -> new Content.GroupDissolved();
            default -> null;
        };
        return known != null ? known : new Content.UnknownEvent(event, content.toString());
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
            case Content.Recalled recalled -> Http.JSON.nullNode();
            case Content.Recall recall -> target(recall);
            case Content.Delete delete -> target(delete);
            case Content.Edit edit -> target(edit).put("text", edit.text());
            case Content.Reaction reaction ->
                target(reaction).put("emoji", reaction.emoji()).put("added", reaction.added());
            case Content.SystemEvent event -> systemEvent(event);
        };
    }

    private static JsonNode systemEvent(Content.SystemEvent event) {
        if (event instanceof Content.UnknownEvent unknown) {
            return Http.parse(unknown.json());
        }
        ObjectNode node = Http.JSON.createObjectNode().put("event", event.event());
        switch (event) {
            case Content.GroupCreated created -> {
                node.put("name", created.name());
                node.set("members", Http.JSON.valueToTree(created.members()));
            }
            case Content.MembersAdded added -> node.set("userIds", Http.JSON.valueToTree(added.userIds()));
            case Content.MemberRemoved removed -> node.put("userId", removed.userId());
            case Content.GroupUpdated updated -> {
                if (updated.name() != null) {
                    node.put("name", updated.name());
                }
                if (updated.announcement() != null) {
                    node.put("announcement", updated.announcement());
                }
                if (updated.muted() != null) {
                    node.put("muted", updated.muted().booleanValue());
                }
            }
            case Content.AdminChanged admin -> node.put("userId", admin.userId());
            case Content.OwnerChanged owner -> node.put("userId", owner.userId());
            case Content.GroupDissolved dissolved -> {
                // the event's name says it all
            }
            case Content.UnknownEvent unknown -> {
                // above
            }
        }
        return node;
    }

    private static ObjectNode target(Content.Change change) {
        return Http.JSON.createObjectNode().put("target", change.target());
    }
}
