package dev.courier.fanout.expansion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.Json;
import dev.courier.common.Records;
import dev.courier.store.GroupRepository;
import dev.courier.store.GroupRepository.Group;

/**
 * The rules of a group at one point of its log (PROTOCOL.md, "Groups"): who may change what, and what each change
 * makes of the group. The owner names admins, transfers the group and dissolves it; the owner and admins add and
 * remove members, rename, announce, mute the group and mute members; only the owner may remove or mute an admin; a
 * member may leave, the owner may not. A dissolved group takes no change. Pure: the expansion stage applies the
 * outcome in the log's order, and the gateway checked the same rules early for a clear answer.
 */
final class GroupRules {

    private GroupRules() {}

    /**
     * What an allowed change does.
     *
     * @param after the group after it (the same object when nothing changes)
     * @param event the content of its {@code system} message, null when it changes nothing the members see
     * @param joined the users who join with it
     * @param leaving the user who leaves with it, or null
     */
    record Outcome(
            Group after,
            @Nullable ObjectNode event,
            List<String> joined,
            @Nullable String leaving) {

        static Outcome nothing(Group group) {
            return new Outcome(group, null, List.of(), null);
        }
    }

    /**
     * Decides the change against the group as it is at the change's point in the log.
     *
     * @param members the members at that point
     * @throws Records.InvalidRecordException when the change is refused, with the code the gateway answers
     */
    static Outcome decide(Group group, Set<String> members, ConversationRecord.GroupChange change) {
        String by = change.by();
        String name = "g:" + group.groupId();
        if (group.dissolved()) {
            throw refused(ErrorCode.NOT_FOUND, name + " is dissolved");
        }
        if (by.startsWith("bridge:") && !(change instanceof ConversationRecord.MembersAdded)) {
            throw refused(ErrorCode.FORBIDDEN, "a bridge only joins its identities to groups");
        }
        return switch (change) {
            case ConversationRecord.MembersAdded added -> {
                if (by.startsWith("bridge:")) {
                    String prefix = by.substring("bridge:".length()) + ".";
                    if (!added.userIds().stream().allMatch(user -> user.startsWith(prefix))) {
                        throw refused(ErrorCode.FORBIDDEN, "a bridge only joins its own identities");
                    }
                } else {
                    requireManager(group, by, "add members to");
                }
                List<String> joined = new ArrayList<>(new TreeSet<>(added.userIds()));
                joined.removeAll(members);
                if (joined.isEmpty()) {
                    yield Outcome.nothing(group);
                }
                ArrayNode userIds = Json.MAPPER.createArrayNode();
                joined.forEach(userIds::add);
                yield new Outcome(
                        next(group, group.name(), group.announcement(), group.muted(), group.ownerId(), null, null, 1),
                        event("members.added").set("userIds", userIds),
                        List.copyOf(joined),
                        null);
            }
            case ConversationRecord.MemberRemoved removed -> {
                String user = removed.userId();
                requireMember(members, user, name);
                if (user.equals(group.ownerId())) {
                    throw refused(ErrorCode.CONFLICT, "the owner cannot leave " + name + "; transfer it first");
                }
                if (!user.equals(by)) {
                    requireManager(group, by, "remove members of");
                    if (group.admins().contains(user) && !by.equals(group.ownerId())) {
                        throw refused(ErrorCode.FORBIDDEN, "only the owner of " + name + " may remove an admin");
                    }
                }
                Set<String> admins = new TreeSet<>(group.admins());
                admins.remove(user);
                Map<String, Long> mutes = new TreeMap<>(group.mutes());
                mutes.remove(user);
                yield new Outcome(
                        next(
                                group,
                                group.name(),
                                group.announcement(),
                                group.muted(),
                                group.ownerId(),
                                admins,
                                mutes,
                                1),
                        event("member.removed").put("userId", user),
                        List.of(),
                        user);
            }
            case ConversationRecord.GroupUpdated updated -> {
                requireManager(group, by, "change");
                ObjectNode event = event("group.updated");
                String newName = updated.name();
                String announcement = updated.announcement();
                Boolean muted = updated.muted();
                if (newName != null && !newName.equals(group.name())) {
                    event.put("name", newName);
                }
                if (announcement != null && !announcement.equals(group.announcement())) {
                    event.put("announcement", announcement);
                }
                if (muted != null && muted != group.muted()) {
                    event.put("muted", muted.booleanValue());
                }
                if (event.size() == 1) {
                    yield Outcome.nothing(group);
                }
                yield new Outcome(
                        next(
                                group,
                                newName != null ? newName : group.name(),
                                announcement != null ? announcement : group.announcement(),
                                muted != null ? muted : group.muted(),
                                group.ownerId(),
                                null,
                                null,
                                0),
                        event,
                        List.of(),
                        null);
            }
            case ConversationRecord.AdminChanged admin -> {
                requireOwner(group, by, "names admins of");
                String user = admin.userId();
                requireMember(members, user, name);
                if (user.equals(group.ownerId())) {
                    throw refused(ErrorCode.CONFLICT, user + " owns " + name + "; the owner is not an admin");
                }
                if (group.admins().contains(user) == admin.admin()) {
                    yield Outcome.nothing(group);
                }
                Set<String> admins = new TreeSet<>(group.admins());
                if (admin.admin()) {
                    admins.add(user);
                } else {
                    admins.remove(user);
                }
                yield new Outcome(
                        next(
                                group,
                                group.name(),
                                group.announcement(),
                                group.muted(),
                                group.ownerId(),
                                admins,
                                null,
                                0),
                        event(admin.admin() ? "admin.added" : "admin.removed").put("userId", user),
                        List.of(),
                        null);
            }
            case ConversationRecord.OwnerChanged owner -> {
                requireOwner(group, by, "transfers");
                String user = owner.userId();
                requireMember(members, user, name);
                if (user.equals(group.ownerId())) {
                    throw refused(ErrorCode.CONFLICT, user + " owns " + name + " already");
                }
                // the old owner stays as an admin; the owner is never an admin, and never muted
                Set<String> admins = new TreeSet<>(group.admins());
                admins.remove(user);
                admins.add(group.ownerId());
                Map<String, Long> mutes = new TreeMap<>(group.mutes());
                mutes.remove(user);
                yield new Outcome(
                        next(group, group.name(), group.announcement(), group.muted(), user, admins, mutes, 0),
                        event("owner.changed").put("userId", user),
                        List.of(),
                        null);
            }
            case ConversationRecord.MemberMuted mute -> {
                requireManager(group, by, "mute members of");
                String user = mute.userId();
                requireMember(members, user, name);
                if (user.equals(group.ownerId())) {
                    throw refused(ErrorCode.CONFLICT, "the owner of " + name + " cannot be muted");
                }
                if (group.admins().contains(user) && !by.equals(group.ownerId())) {
                    throw refused(ErrorCode.FORBIDDEN, "only the owner of " + name + " may mute an admin");
                }
                Map<String, Long> mutes = new TreeMap<>(group.mutes());
                if (mute.muted()) {
                    long until = mute.until() == null
                            ? GroupRepository.UNTIL_UNMUTED
                            : mute.until().toEpochMilli();
                    if (until <= mute.at().toEpochMilli()) {
                        throw refused(ErrorCode.INVALID_REQUEST, "until: must be in the future");
                    }
                    mutes.put(user, until);
                } else if (mutes.remove(user) == null) {
                    yield Outcome.nothing(group);
                }
                // a member's mute is not part of the group object: no new version, no system message
                yield new Outcome(
                        new Group(
                                group.groupId(),
                                group.name(),
                                group.ownerId(),
                                group.announcement(),
                                group.muted(),
                                group.dissolvedAt(),
                                group.version(),
                                group.membersVersion(),
                                group.createdAt(),
                                group.admins(),
                                mutes),
                        null,
                        List.of(),
                        null);
            }
            case ConversationRecord.GroupDissolved dissolved -> {
                requireOwner(group, by, "dissolves");
                yield new Outcome(
                        new Group(
                                group.groupId(),
                                group.name(),
                                group.ownerId(),
                                group.announcement(),
                                group.muted(),
                                dissolved.at().toEpochMilli(),
                                group.version() + 1,
                                group.membersVersion(),
                                group.createdAt(),
                                group.admins(),
                                group.mutes()),
                        event("group.dissolved"),
                        List.of(),
                        null);
            }
        };
    }

    /**
     * Whether the member may send a message at {@code sentAt} (epoch milliseconds), at this point of the log.
     *
     * @throws Records.InvalidRecordException when the member's mute or the group's refuses it
     */
    static void requireMaySend(Group group, String from, long sentAt) {
        if (group.mutes(from, sentAt)) {
            throw refused(ErrorCode.FORBIDDEN, from + " is muted in g:" + group.groupId());
        }
        if (group.silences(from, sentAt)) {
            throw refused(ErrorCode.FORBIDDEN, "g:" + group.groupId() + " is muted: only the owner and admins send");
        }
    }

    /** The system message's content of a created group. */
    static ObjectNode created(Group group, List<String> members) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        members.forEach(list::add);
        ObjectNode event = event("group.created").put("name", group.name());
        event.set("members", list);
        return event;
    }

    private static ObjectNode event(String event) {
        return Json.MAPPER.createObjectNode().put("event", event);
    }

    /** The group under its next version (and next members version when {@code membersStep} is 1). */
    private static Group next(
            Group group,
            String name,
            String announcement,
            boolean muted,
            String owner,
            @Nullable Set<String> admins,
            @Nullable Map<String, Long> mutes,
            int membersStep) {
        return new Group(
                group.groupId(),
                name,
                owner,
                announcement,
                muted,
                group.dissolvedAt(),
                group.version() + 1,
                group.membersVersion() + membersStep,
                group.createdAt(),
                admins != null ? Set.copyOf(admins) : group.admins(),
                mutes != null ? Map.copyOf(mutes) : group.mutes());
    }

    private static void requireManager(Group group, String by, String what) {
        if (!group.manages(by)) {
            throw refused(
                    ErrorCode.FORBIDDEN, "only the owner or an admin of g:" + group.groupId() + " may " + what + " it");
        }
    }

    private static void requireOwner(Group group, String by, String what) {
        if (!group.ownerId().equals(by)) {
            throw refused(ErrorCode.FORBIDDEN, "only the owner " + what + " g:" + group.groupId());
        }
    }

    private static void requireMember(Set<String> members, String user, String group) {
        if (!members.contains(user)) {
            throw refused(ErrorCode.NOT_FOUND, user + " is not a member of " + group);
        }
    }

    private static Records.InvalidRecordException refused(ErrorCode code, String detail) {
        return new Records.InvalidRecordException(code, detail);
    }
}
