package dev.courier.common;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Encodes and decodes the JSON records of the pipeline topics. Every record carries {@code type} and {@code v}; a record
 * that cannot be decoded is reported with {@link InvalidRecordException}, which consumers send to the dead-letter topic.
 */
public final class Records {

    private static final Map<String, Class<? extends ConversationRecord>> CONVERSATION_TYPES = Map.ofEntries(
            Map.entry(ConversationRecord.MessagePosted.TYPE, ConversationRecord.MessagePosted.class),
            Map.entry(ConversationRecord.GroupCreated.TYPE, ConversationRecord.GroupCreated.class),
            Map.entry(ConversationRecord.MembersAdded.TYPE, ConversationRecord.MembersAdded.class),
            Map.entry(ConversationRecord.MemberRemoved.TYPE, ConversationRecord.MemberRemoved.class),
            Map.entry(ConversationRecord.GroupUpdated.TYPE, ConversationRecord.GroupUpdated.class),
            Map.entry(ConversationRecord.AdminChanged.TYPE, ConversationRecord.AdminChanged.class),
            Map.entry(ConversationRecord.OwnerChanged.TYPE, ConversationRecord.OwnerChanged.class),
            Map.entry(ConversationRecord.MemberMuted.TYPE, ConversationRecord.MemberMuted.class),
            Map.entry(ConversationRecord.GroupDissolved.TYPE, ConversationRecord.GroupDissolved.class),
            Map.entry(ConversationRecord.BlockChanged.TYPE, ConversationRecord.BlockChanged.class),
            Map.entry(ConversationRecord.ConversationRead.TYPE, ConversationRecord.ConversationRead.class),
            Map.entry(ConversationRecord.MessageRecalled.TYPE, ConversationRecord.MessageRecalled.class),
            Map.entry(ConversationRecord.MessageEdited.TYPE, ConversationRecord.MessageEdited.class),
            Map.entry(ConversationRecord.MessageDeleted.TYPE, ConversationRecord.MessageDeleted.class),
            Map.entry(ConversationRecord.ReactionChanged.TYPE, ConversationRecord.ReactionChanged.class));

    private static final Map<String, Class<? extends InboxRecord>> INBOX_TYPES = Map.of(
            InboxRecord.Read.TYPE, InboxRecord.Read.class,
            InboxRecord.PeerRead.TYPE, InboxRecord.PeerRead.class,
            InboxRecord.Muted.TYPE, InboxRecord.Muted.class,
            InboxRecord.GroupChanged.TYPE, InboxRecord.GroupChanged.class);

    private static final String INBOX_ENTRY_PREFIX =
            "{\"type\":\"" + InboxEntry.TYPE + "\",\"v\":" + ConversationRecord.VERSION + ",\"userId\":\"";

    /** Users one record may name, at most: far more than a group may have, far less than a poison list. */
    static final int MAX_USERS_PER_RECORD = 10_000;

    /**
     * Text a consumer accepts in a record: the producers' own limits (the gateway's, the bridge's) are lower and
     * configurable; this bounds what any producer can make a consumer store.
     */
    static final int MAX_RECORD_TEXT_BYTES = 1024 * 1024;

    private static final String BRIDGE_IDENTITY_RULE =
            "must be a user id <system>.<user>, the system being " + Ids.SYSTEM_ID_RULE + " and the user not empty";

    /** Why an instant is refused: every instant of a message is stored as milliseconds since the epoch. */
    public static final String EPOCH_MILLIS_RULE = "must be an instant in the range of epoch milliseconds";

    private Records() {}

    /** Whether the instant can be stored as milliseconds since the epoch (a {@code BIGINT}) without overflow. */
    public static boolean fitsEpochMillis(Instant instant) {
        try {
            instant.toEpochMilli();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    public static String encode(ConversationRecord record) {
        return encode(record.type(), record);
    }

    /**
     * The same JSON as every other record, written directly when the ids need no escaping (as valid ids never do): the
     * expansion stage encodes one entry per recipient, so this runs for every member of every group message.
     */
    public static String encode(InboxEntry entry) {
        if (needsNoEscaping(entry.userId())
                && needsNoEscaping(entry.messageId())
                && needsNoEscaping(entry.conversation())) {
            return INBOX_ENTRY_PREFIX + entry.userId() + "\",\"messageId\":\"" + entry.messageId()
                    + "\",\"conversation\":\"" + entry.conversation() + "\"}";
        }
        return encode(InboxEntry.TYPE, entry);
    }

    /** The same JSON as every other record, written directly when the ids need no escaping (see above). */
    public static String encode(InboxEntries entries) {
        boolean plain = needsNoEscaping(entries.messageId())
                && needsNoEscaping(entries.conversation())
                && entries.from() != null
                && needsNoEscaping(entries.from())
                && entries.kind() != null
                && needsNoEscaping(entries.kind());
        StringBuilder json = new StringBuilder(96 + entries.userIds().size() * 24);
        json.append("{\"type\":\"")
                .append(InboxEntries.TYPE)
                .append("\",\"v\":")
                .append(ConversationRecord.VERSION)
                .append(",\"messageId\":\"")
                .append(entries.messageId())
                .append("\",\"conversation\":\"")
                .append(entries.conversation())
                .append("\",\"userIds\":[");
        for (int i = 0; i < entries.userIds().size() && plain; i++) {
            String user = entries.userIds().get(i);
            plain = needsNoEscaping(user);
            json.append(i > 0 ? ",\"" : "\"").append(user).append('"');
        }
        if (!plain) {
            return encode(InboxEntries.TYPE, entries);
        }
        return json.append("],\"convSeq\":")
                .append(entries.convSeq())
                .append(",\"from\":\"")
                .append(entries.from())
                .append("\",\"kind\":\"")
                .append(entries.kind())
                .append("\"}")
                .toString();
    }

    /** A conversation state change of one user: a read, a peer's read, a mute. */
    public static String encode(InboxRecord record) {
        return switch (record) {
            case InboxRecord.Read read -> encode(InboxRecord.Read.TYPE, read);
            case InboxRecord.PeerRead peerRead -> encode(InboxRecord.PeerRead.TYPE, peerRead);
            case InboxRecord.Muted muted -> encode(InboxRecord.Muted.TYPE, muted);
            case InboxRecord.GroupChanged group -> encode(InboxRecord.GroupChanged.TYPE, group);
            case InboxRecord.Entry entry ->
                throw new IllegalArgumentException("entries travel as " + InboxEntries.TYPE + " records");
        };
    }

    /** Printable ASCII but the quote and the backslash: what JSON writes as it is. */
    private static boolean needsNoEscaping(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static String encode(String type, Object record) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", type);
        node.put("v", ConversationRecord.VERSION);
        node.setAll((ObjectNode) Json.MAPPER.valueToTree(record));
        return node.toString();
    }

    /**
     * Decodes and fully validates a record of {@link Topics#CONVERSATIONS}: every id against its rule (and so its
     * column), every content against the rules of a send. Any producer can write to the topic, so nothing that
     * reaches the database may be taken on trust.
     */
    public static ConversationRecord decodeConversation(@Nullable String json) {
        JsonNode node = parse(json);
        Class<? extends ConversationRecord> type =
                CONVERSATION_TYPES.get(node.path("type").asString(""));
        if (type == null) {
            throw new InvalidRecordException(
                    "unknown record type '" + node.path("type").asString("") + "'");
        }
        ConversationRecord record = convert(node, type);
        switch (record) {
            case ConversationRecord.MessagePosted message -> validate(message);
            case ConversationRecord.GroupChange change -> validate(change);
            case ConversationRecord.GroupCreated created -> {
                requireFields(created.groupId(), created.by(), created.at());
                require(Ids.isGroupId(created.groupId()), "groupId: " + Ids.USER_ID_RULE);
                require(Ids.isUserId(created.by()), "by: " + Ids.USER_ID_RULE);
                require(fitsEpochMillis(created.at()), "at: " + EPOCH_MILLIS_RULE);
            }
            case ConversationRecord.BlockChanged block -> {
                requireFields(block.eventId(), block.conversation(), block.by(), block.userId(), block.at());
                require(Ids.isEventId(block.eventId()), "eventId: " + Ids.CLIENT_MSG_ID_RULE);
                require(Ids.isUserId(block.by()), "by: " + Ids.USER_ID_RULE);
                require(
                        Ids.isUserId(block.userId()) && !block.userId().equals(block.by()),
                        "userId: another user, " + Ids.USER_ID_RULE);
                require(
                        block.conversation()
                                .equals(ConversationId.direct(block.by(), block.userId())
                                        .value()),
                        "conversation: must be the direct conversation of by and userId");
                require(fitsEpochMillis(block.at()), "at: " + EPOCH_MILLIS_RULE);
            }
            case ConversationRecord.MessageChange change -> validate(change);
            case ConversationRecord.ConversationRead read -> {
                requireFields(read.conversation(), read.userId(), read.at());
                requireConversation(read.conversation());
                require(Ids.isUserId(read.userId()), "userId: " + Ids.USER_ID_RULE);
                require(read.convSeq() >= 0, "convSeq: must not be negative");
            }
        }
        return record;
    }

    /** The longest group name, in characters. */
    public static final int MAX_GROUP_NAME_CHARS = 128;

    /** The longest announcement, in characters. */
    public static final int MAX_ANNOUNCEMENT_CHARS = 2000;

    private static void validate(ConversationRecord.GroupChange change) {
        requireFields(change.eventId(), change.groupId(), change.by(), change.at());
        require(Ids.isEventId(change.eventId()), "eventId: " + Ids.CLIENT_MSG_ID_RULE);
        require(Ids.isGroupId(change.groupId()), "groupId: " + Ids.USER_ID_RULE);
        requireActor(change.by());
        require(fitsEpochMillis(change.at()), "at: " + EPOCH_MILLIS_RULE);
        switch (change) {
            case ConversationRecord.MembersAdded added -> {
                requireFields(added.userIds());
                require(
                        !added.userIds().isEmpty() && added.userIds().size() <= MAX_USERS_PER_RECORD,
                        "userIds: 1 to " + MAX_USERS_PER_RECORD + " users");
                for (String user : added.userIds()) {
                    require(user != null && Ids.isUserId(user), "userIds: " + Ids.USER_ID_RULE);
                }
            }
            case ConversationRecord.MemberRemoved removed -> requireUser(removed.userId());
            case ConversationRecord.GroupUpdated updated -> {
                String name = updated.name();
                String announcement = updated.announcement();
                require(
                        name != null || announcement != null || updated.muted() != null,
                        "a group.updated record changes the name, the announcement or the mute");
                require(
                        name == null || isText(name, 1, MAX_GROUP_NAME_CHARS),
                        "name: 1 to " + MAX_GROUP_NAME_CHARS + " characters");
                require(
                        announcement == null || isText(announcement, 0, MAX_ANNOUNCEMENT_CHARS),
                        "announcement: 0 to " + MAX_ANNOUNCEMENT_CHARS + " characters");
            }
            case ConversationRecord.AdminChanged admin -> requireUser(admin.userId());
            case ConversationRecord.OwnerChanged owner -> requireUser(owner.userId());
            case ConversationRecord.MemberMuted muted -> {
                requireUser(muted.userId());
                Instant until = muted.until();
                require(until == null || fitsEpochMillis(until), "until: " + EPOCH_MILLIS_RULE);
            }
            case ConversationRecord.GroupDissolved dissolved -> {}
        }
    }

    /** Whether the text is well-formed and has {@code min} to {@code max} characters. */
    private static boolean isText(String text, int min, int max) {
        return Text.isWellFormed(text) && text.length() >= min && text.length() <= max;
    }

    private static void requireUser(@Nullable String userId) {
        require(userId != null && Ids.isUserId(userId), "userId: " + Ids.USER_ID_RULE);
    }

    /** The longest reaction, in characters (code points). */
    public static final int MAX_EMOJI_CHARS = 32;

    private static void validate(ConversationRecord.MessageChange change) {
        requireFields(change.conversation(), change.messageId(), change.by(), change.at());
        requireConversation(change.conversation());
        require(Ids.isMessageId(change.messageId()), "messageId: " + Ids.MESSAGE_ID_RULE);
        require(Ids.isUserId(change.by()), "by: " + Ids.USER_ID_RULE);
        switch (change) {
            case ConversationRecord.MessageEdited edited -> {
                requireFields(edited.eventId(), edited.text());
                require(Ids.isEventId(edited.eventId()), "eventId: " + Ids.CLIENT_MSG_ID_RULE);
                MessageContent.Problem problem =
                        MessageContent.check("text", StringNode.valueOf(edited.text()), MAX_RECORD_TEXT_BYTES);
                if (problem != null) {
                    throw new InvalidRecordException(problem.code(), problem.detail());
                }
            }
            case ConversationRecord.ReactionChanged reaction -> {
                requireFields(reaction.eventId(), reaction.emoji());
                require(Ids.isEventId(reaction.eventId()), "eventId: " + Ids.CLIENT_MSG_ID_RULE);
                require(
                        Text.isWellFormed(reaction.emoji())
                                && !reaction.emoji().isEmpty()
                                && reaction.emoji()
                                                .codePointCount(
                                                        0, reaction.emoji().length())
                                        <= MAX_EMOJI_CHARS,
                        "emoji: 1-" + MAX_EMOJI_CHARS + " characters");
            }
            case ConversationRecord.MessageRecalled recalled -> {}
            case ConversationRecord.MessageDeleted deleted -> {}
        }
    }

    private static void validate(ConversationRecord.MessagePosted message) {
        requireFields(
                message.messageId(),
                message.clientMsgId(),
                message.conversation(),
                message.from(),
                message.kind(),
                message.content(),
                message.sentAt());
        require(Ids.isMessageId(message.messageId()), "messageId: " + Ids.MESSAGE_ID_RULE);
        require(Ids.isClientMsgId(message.clientMsgId()), "clientMsgId: " + Ids.CLIENT_MSG_ID_RULE);
        require(Ids.isUserId(message.from()), "from: " + Ids.USER_ID_RULE);
        try {
            ConversationId.parse(message.conversation());
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("conversation: " + e.getMessage());
        }
        require(message.origin() == null || Ids.isSystemId(message.origin()), "origin: " + Ids.SYSTEM_ID_RULE);
        require(message.replyTo() == null || Ids.isMessageId(message.replyTo()), "replyTo: " + Ids.MESSAGE_ID_RULE);
        requireContent(message.kind(), message.content());
        require(fitsEpochMillis(message.sentAt()), "sentAt: " + EPOCH_MILLIS_RULE);
    }

    private static void requireContent(String kind, JsonNode content) {
        MessageContent.Problem problem = MessageContent.check(kind, content, MAX_RECORD_TEXT_BYTES);
        if (problem != null) {
            throw new InvalidRecordException(problem.code(), problem.detail());
        }
    }

    /** Who made a change: a user id, or {@code bridge:<system>} for a bridge. */
    private static void requireActor(String by) {
        require(
                Ids.isUserId(by) || by.startsWith("bridge:") && Ids.isSystemId(by.substring(7)),
                "by: a user id or bridge:<system>");
    }

    private static void require(boolean valid, String detail) {
        if (!valid) {
            throw new InvalidRecordException(detail);
        }
    }

    public static String encode(ExpandedMessage expanded) {
        return encode(ExpandedMessage.TYPE, expanded);
    }

    /**
     * Decodes and fully validates a record of {@link Topics#EXPANDED}, as {@link #decodeConversation} does a message:
     * any producer can write to the topic, and what the bridge outbound publishes must be a message Courier could
     * have sent.
     */
    public static ExpandedMessage decodeExpanded(@Nullable String json) {
        JsonNode node = parse(json);
        if (!ExpandedMessage.TYPE.equals(node.path("type").asString(""))) {
            throw new InvalidRecordException(
                    "unknown record type '" + node.path("type").asString("") + "'");
        }
        ExpandedMessage expanded = convert(node, ExpandedMessage.class);
        requireFields(
                expanded.messageId(),
                expanded.conversation(),
                expanded.from(),
                expanded.kind(),
                expanded.content(),
                expanded.sentAt(),
                expanded.bridgeRecipients());
        require(Ids.isMessageId(expanded.messageId()), "messageId: " + Ids.MESSAGE_ID_RULE);
        requireConversation(expanded.conversation());
        require(Ids.isUserId(expanded.from()), "from: " + Ids.USER_ID_RULE);
        ExpandedMessage.Target target = expanded.target();
        if (expanded.kind().equals("recall") || expanded.kind().equals("edit")) {
            // a change of another message: its content names the target, and an edit carries the new text
            require(
                    target != null
                            && Ids.isMessageId(target.messageId())
                            && (target.origin() == null || Ids.isSystemId(target.origin()))
                            && Ids.isClientMsgId(target.clientMsgId()),
                    "target: the message changed, with its origin and client message id");
            require(expanded.content().path("target").isString(), "content.target: the id of the message changed");
            if (expanded.kind().equals("edit")) {
                requireContent("text", expanded.content().path("text"));
            }
        } else {
            require(target == null, "target: only a recall or an edit changes another message");
            requireContent(expanded.kind(), expanded.content());
        }
        require(expanded.convSeq() >= 0, "convSeq: must not be negative");
        require(fitsEpochMillis(expanded.sentAt()), "sentAt: " + EPOCH_MILLIS_RULE);
        require(expanded.origin() == null || Ids.isSystemId(expanded.origin()), "origin: " + Ids.SYSTEM_ID_RULE);
        List<String> recipients = expanded.bridgeRecipients();
        require(
                recipients.size() <= MAX_USERS_PER_RECORD,
                "bridgeRecipients: at most " + MAX_USERS_PER_RECORD + " users");
        for (int i = 0; i < recipients.size(); i++) {
            require(isBridgeIdentity(recipients.get(i)), "bridgeRecipients[" + i + "]: " + BRIDGE_IDENTITY_RULE);
        }
        return expanded;
    }

    /** A bridge identity {@code <system>.<user>}: a user id whose part before the first dot is a system id. */
    private static boolean isBridgeIdentity(@Nullable String identity) {
        if (identity == null || !Ids.isUserId(identity)) {
            return false;
        }
        int dot = identity.indexOf('.');
        return dot > 0 && dot < identity.length() - 1 && Ids.isSystemId(identity.substring(0, dot));
    }

    public static String encode(PushCandidate candidate) {
        return encode(PushCandidate.TYPE, candidate);
    }

    /** Decodes and fully validates a record of {@link Topics#PUSH}: any producer can write to the topic. */
    public static PushCandidate decodePush(@Nullable String json) {
        JsonNode node = parse(json);
        if (!PushCandidate.TYPE.equals(node.path("type").asString(""))) {
            throw new InvalidRecordException(
                    "unknown record type '" + node.path("type").asString("") + "'");
        }
        PushCandidate candidate = convert(node, PushCandidate.class);
        requireFields(
                candidate.userId(),
                candidate.messageId(),
                candidate.conversation(),
                candidate.from(),
                candidate.kind());
        require(Ids.isUserId(candidate.userId()), "userId: " + Ids.USER_ID_RULE);
        require(candidate.seq() > 0, "seq: must be positive");
        require(Ids.isMessageId(candidate.messageId()), "messageId: " + Ids.MESSAGE_ID_RULE);
        requireConversation(candidate.conversation());
        require(Ids.isUserId(candidate.from()), "from: " + Ids.USER_ID_RULE);
        require(Ids.isKind(candidate.kind()), "kind: " + Ids.KIND_RULE);
        require(candidate.badge() >= 0, "badge: must not be negative");
        require(candidate.committedAt() >= 0, "committedAt: must be epoch milliseconds");
        return candidate;
    }

    /** What a {@link Topics#INBOX} record of any type asks of the inbox writer, in order, fully validated. */
    public static List<InboxRecord> decodeInboxRecord(@Nullable String json) {
        JsonNode node = parse(json);
        String type = node.path("type").asString("");
        if (InboxEntries.TYPE.equals(type)) {
            // read from the tree field by field: the groups lane's records carry hundreds of users each, and binding
            // them to a record first cost as much as the rest of the decoding
            String messageId = text(node, "messageId");
            String conversation = text(node, "conversation");
            JsonNode userIds = node.get("userIds");
            if (messageId == null || conversation == null || userIds == null || userIds.isNull()) {
                throw new InvalidRecordException("a required field is missing");
            }
            require(userIds.isArray(), "malformed inbox.entries record: userIds: must be an array");
            require(Ids.isMessageId(messageId), "messageId: " + Ids.MESSAGE_ID_RULE);
            requireConversation(conversation);
            JsonNode seq = node.get("convSeq");
            require(
                    seq == null || seq.isNull() || seq.isIntegralNumber() && seq.canConvertToLong(),
                    "malformed inbox.entries record: convSeq: must be an integer");
            long convSeq = seq == null || seq.isNull() ? 0 : seq.asLong();
            require(convSeq >= 0, "convSeq: must not be negative");
            String from = text(node, "from");
            String kind = text(node, "kind");
            require(from == null || Ids.isUserId(from), "from: " + Ids.USER_ID_RULE);
            require(kind == null || Ids.isKind(kind), "kind: " + Ids.KIND_RULE);
            List<InboxRecord> list = new ArrayList<>(userIds.size());
            for (JsonNode userId : userIds) {
                require(!userId.isNull(), "a required field is missing");
                require(userId.isString(), "malformed inbox.entries record: userIds: must be strings");
                String user = userId.asString();
                require(Ids.isUserId(user), "userId: " + Ids.USER_ID_RULE);
                list.add(new InboxRecord.Entry(user, messageId, conversation, convSeq, from, kind));
            }
            return list;
        }
        Class<? extends InboxRecord> change = INBOX_TYPES.get(type);
        if (change != null) {
            InboxRecord record = convert(node, change);
            requireFields(record.userId(), record.conversation());
            require(Ids.isUserId(record.userId()), "userId: " + Ids.USER_ID_RULE);
            requireConversation(record.conversation());
            if (record instanceof InboxRecord.Read read) {
                require(read.convSeq() >= 0, "convSeq: must not be negative");
            } else if (record instanceof InboxRecord.PeerRead peerRead) {
                require(peerRead.convSeq() >= 0, "convSeq: must not be negative");
            } else if (record instanceof InboxRecord.GroupChanged group) {
                require(ConversationId.parse(group.conversation()).isGroup(), "conversation: must be a group");
            }
            return List.of(record);
        }
        InboxEntry entry = decodeInbox(json);
        return List.of(new InboxRecord.Entry(entry.userId(), entry.messageId(), entry.conversation(), 0, null, null));
    }

    public static InboxEntry decodeInbox(@Nullable String json) {
        JsonNode node = parse(json);
        if (!InboxEntry.TYPE.equals(node.path("type").asString(""))) {
            throw new InvalidRecordException(
                    "unknown record type '" + node.path("type").asString("") + "'");
        }
        InboxEntry entry = convert(node, InboxEntry.class);
        requireFields(entry.userId(), entry.messageId(), entry.conversation());
        require(Ids.isUserId(entry.userId()), "userId: " + Ids.USER_ID_RULE);
        require(Ids.isMessageId(entry.messageId()), "messageId: " + Ids.MESSAGE_ID_RULE);
        requireConversation(entry.conversation());
        return entry;
    }

    private static void requireConversation(String conversation) {
        try {
            ConversationId.parse(conversation);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("conversation: " + e.getMessage());
        }
    }

    private static JsonNode parse(@Nullable String json) {
        if (json == null) {
            // a tombstone: Jackson would throw IllegalArgumentException, which no consumer takes for bad input
            throw new InvalidRecordException("the record has no value");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new InvalidRecordException("not a JSON object");
            }
            int version = node.path("v").asInt(-1);
            if (version != ConversationRecord.VERSION) {
                throw new InvalidRecordException("unsupported schema version v=" + node.path("v"));
            }
            return node;
        } catch (JacksonException e) {
            throw new InvalidRecordException("not JSON: " + e.getOriginalMessage());
        }
    }

    /** A text field, null when absent or null; another type is a malformed record. */
    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        require(
                value.isString(),
                "malformed " + node.path("type").asString("") + " record: " + field + ": must be a string");
        return value.asString();
    }

    private static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (JacksonException e) {
            throw new InvalidRecordException(
                    "malformed " + node.path("type").asString("") + " record: " + e.getOriginalMessage());
        }
    }

    private static void requireFields(Object... values) {
        for (Object value : values) {
            if (value == null) {
                throw new InvalidRecordException("a required field is missing");
            }
        }
    }

    /**
     * A record that no retry can fix: it goes to the dead-letter topic with {@link #reason()} as its reason code and
     * the message as the detail.
     */
    public static final class InvalidRecordException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /** Never null: every constructor sets the message. */
        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

        private final ErrorCode reason;

        public InvalidRecordException(String detail) {
            this(ErrorCode.INVALID_REQUEST, detail);
        }

        public InvalidRecordException(ErrorCode reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        public ErrorCode reason() {
            return reason;
        }
    }
}
