package dev.courier.common;

import java.util.List;

/**
 * A conversation: {@code g:<groupId>}, or {@code d:<a>:<b>} for the direct chat of users a and b with a &lt; b. It is
 * the Kafka key of {@link Topics#CONVERSATIONS}, so everything that happens in one conversation keeps its order.
 */
public record ConversationId(String value) {

    public static ConversationId direct(String one, String other) {
        if (one.equals(other)) {
            throw new IllegalArgumentException("a direct chat needs two different users");
        }
        return one.compareTo(other) < 0
                ? new ConversationId("d:" + one + ":" + other)
                : new ConversationId("d:" + other + ":" + one);
    }

    public static ConversationId group(String groupId) {
        return new ConversationId("g:" + groupId);
    }

    public static ConversationId parse(String value) {
        if (value.startsWith("g:") && Ids.isGroupId(value.substring(2))) {
            return new ConversationId(value);
        }
        if (value.startsWith("d:")) {
            String[] users = value.substring(2).split(":", -1);
            if (users.length == 2
                    && Ids.isUserId(users[0])
                    && Ids.isUserId(users[1])
                    && users[0].compareTo(users[1]) < 0) {
                return new ConversationId(value);
            }
        }
        throw new IllegalArgumentException("not a conversation id: " + value);
    }

    public boolean isGroup() {
        return value.startsWith("g:");
    }

    /** The group id of a group conversation. */
    public String groupId() {
        if (!isGroup()) {
            throw new IllegalStateException(value + " is not a group conversation");
        }
        return value.substring(2);
    }

    /** Both users of a direct conversation. */
    public List<String> directUsers() {
        if (isGroup()) {
            throw new IllegalStateException(value + " is not a direct conversation");
        }
        return List.of(value.substring(2).split(":", 2));
    }

    @Override
    public String toString() {
        return value;
    }
}
