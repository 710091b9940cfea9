package dev.courier.client;

import java.util.List;

/**
 * A group as the gateway describes it (the group calls, and the groups of a sync delta): the whole object as it is
 * now. A newer state of the same group has a higher {@code version}; keep the one with the highest.
 * <p>
 * In a sync delta a group this user left (or was removed from) appears once as {@link #left()}: then only
 * {@code groupId}, {@code name} and {@code version} are known, {@code owner} is empty and the lists are empty. A
 * dissolved group appears whole with {@link #dissolved()}: it takes no more sends or changes, and its history stays.
 *
 * @param owner the owner's user id (a member, never an admin)
 * @param members every member, the owner included, in id order
 * @param admins the admins, in id order; never the owner
 * @param announcement {@code ""} until set
 * @param muted the group mute: while true only the owner and admins may send
 * @param memberCount how many members it has
 * @param version 1 for a new group, one more with each change of the group object (members, name, announcement,
 *        group mute, admins, owner, dissolving; not a member's mute)
 */
public record Group(
        String groupId,
        String name,
        String owner,
        List<String> members,
        List<String> admins,
        String announcement,
        boolean muted,
        int memberCount,
        long version,
        boolean left,
        boolean dissolved) {

    public Group {
        members = List.copyOf(members);
        admins = List.copyOf(admins);
    }

    /** A group as it was created: no admins, no announcement, not muted, version 1. */
    public Group(String groupId, String name, String owner, List<String> members) {
        this(groupId, name, owner, members, List.of(), "", false, members.size(), 1, false, false);
    }

    /** The conversation id of the group: {@code g:<groupId>}. */
    public String conversation() {
        return "g:" + groupId;
    }

    /** Whether the user is the owner or an admin: who may rename, announce, mute and add or remove members. */
    public boolean manages(String userId) {
        return owner.equals(userId) || admins.contains(userId);
    }

    /** Whether the user is an admin (the owner is not one). */
    public boolean isAdmin(String userId) {
        return admins.contains(userId);
    }

    /** Whether the user is a member now (the owner is one). */
    public boolean isMember(String userId) {
        return members.contains(userId);
    }
}
