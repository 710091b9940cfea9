package dev.courier.client;

import java.util.List;

/** A group as the gateway describes it; the owner is a member. */
public record Group(String groupId, String name, String owner, List<String> members) {

    public Group {
        members = List.copyOf(members);
    }
}
