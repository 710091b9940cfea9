package dev.courier.common;

/**
 * Where a send goes: {@code u:<userId>} for a direct chat or {@code g:<groupId>} for a group.
 */
public sealed interface Address {

    /** Parses the {@code to} field of a send; throws {@link IllegalArgumentException} with the reason. */
    static Address parse(String to) {
        if (to.startsWith("u:") && Ids.isUserId(to.substring(2))) {
            return new User(to.substring(2));
        }
        if (to.startsWith("g:") && Ids.isGroupId(to.substring(2))) {
            return new Group(to.substring(2));
        }
        throw new IllegalArgumentException("must be u:<userId> or g:<groupId>, ids being " + Ids.USER_ID_RULE);
    }

    /** The conversation a message from {@code sender} to this address belongs to. */
    ConversationId conversationFrom(String sender);

    record User(String userId) implements Address {
        @Override
        public ConversationId conversationFrom(String sender) {
            return ConversationId.direct(sender, userId);
        }

        @Override
        public String toString() {
            return "u:" + userId;
        }
    }

    record Group(String groupId) implements Address {
        @Override
        public ConversationId conversationFrom(String sender) {
            return ConversationId.group(groupId);
        }

        @Override
        public String toString() {
            return "g:" + groupId;
        }
    }
}
