package dev.courier.web;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

import dev.courier.store.GroupRepository;

/**
 * A group on the wire (PROTOCOL.md, "Groups"), as the group calls and the groups data type of a sync answer it: the
 * whole object as it is now; in a sync, a group the user left appears once as {@code {groupId, name, version, left:
 * true}}, and a dissolved group whole with {@code dissolved: true}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupView(
        String groupId,
        String name,
        @Nullable String owner,
        @Nullable List<String> members,
        @Nullable List<String> admins,
        @Nullable String announcement,
        @Nullable Boolean muted,
        @Nullable Integer memberCount,
        long version,
        @Nullable Boolean left,
        @Nullable Boolean dissolved) {

    public static GroupView of(GroupRepository.Details details) {
        GroupRepository.Group group = details.group();
        return new GroupView(
                group.groupId(),
                group.name(),
                group.ownerId(),
                details.members(),
                group.admins().stream().sorted().toList(),
                group.announcement(),
                group.muted(),
                details.members().size(),
                group.version(),
                null,
                group.dissolved() ? Boolean.TRUE : null);
    }

    /** What a user who left the group is told of it. */
    public static GroupView left(GroupRepository.Group group) {
        return new GroupView(
                group.groupId(), group.name(), null, null, null, null, null, null, group.version(), true, null);
    }
}
