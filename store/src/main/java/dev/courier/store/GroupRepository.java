package dev.courier.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.courier.store.SqlLists.chunks;
import static dev.courier.store.SqlLists.placeholders;

/**
 * The group object beyond its members: name, announcement, group mute, owner, admins, member mutes, dissolving, and
 * its version. Only the expansion stage changes it, in the order of the group's log (DESIGN.md, principle 2); the
 * gateway reads it for early checks, and the gateway and the sync-api read it to answer the group as it is now.
 */
public class GroupRepository {

    /** A mute without an end: until unmuted. */
    public static final long UNTIL_UNMUTED = Long.MAX_VALUE;

    private static final String STATES = """
            SELECT group_id, name, owner_id, announcement, muted, dissolved_at, group_version, members_version,
                   created_at
            FROM chat_groups WHERE group_id IN (%s)
            """;

    private static final String ROLES = """
            SELECT group_id, user_id, 'admin', 0 FROM group_admins WHERE group_id IN (%1$s)
            UNION ALL
            SELECT group_id, user_id, 'mute', until_at FROM group_mutes WHERE group_id IN (%1$s)
            """;

    private static final String MEMBERS_NOW = """
            SELECT group_id, user_id FROM group_members WHERE group_id IN (%s) AND left_version IS NULL
            ORDER BY group_id, user_id
            """;

    private static final String GROUPS_OF = """
            SELECT m.group_id FROM group_members m JOIN chat_groups g ON g.group_id = m.group_id
            WHERE m.user_id = :userId AND m.left_version IS NULL AND g.dissolved_at IS NULL
            ORDER BY m.group_id
            """;

    private static final String UPDATE = """
            UPDATE chat_groups SET name = :name, announcement = :announcement, muted = :muted, owner_id = :ownerId,
                   group_version = :version
            WHERE group_id = :groupId
            """;

    private static final String DISSOLVE = """
            UPDATE chat_groups SET dissolved_at = :at, group_version = :version WHERE group_id = :groupId
            """;

    private static final String ADD_ADMIN = """
            INSERT INTO group_admins (group_id, user_id) VALUES (:groupId, :userId)
            ON DUPLICATE KEY UPDATE user_id = user_id
            """;

    private static final String REMOVE_ADMIN =
            "DELETE FROM group_admins WHERE group_id = :groupId AND user_id = :userId";

    private static final String MUTE = """
            INSERT INTO group_mutes (group_id, user_id, until_at) VALUES (:groupId, :userId, :until)
            ON DUPLICATE KEY UPDATE until_at = VALUES(until_at)
            """;

    private static final String UNMUTE = "DELETE FROM group_mutes WHERE group_id = :groupId AND user_id = :userId";

    private final JdbcClient jdbc;

    public GroupRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A group as far as the expansion stage has applied its log.
     *
     * @param dissolvedAt when it was dissolved, or null
     * @param version the version of the group object: one more with each change of it
     * @param membersVersion the version of its membership (MembershipRepository)
     * @param admins its admins (never the owner)
     * @param mutes its muted members, each with the end of the mute ({@link #UNTIL_UNMUTED}: none)
     */
    public record Group(
            String groupId,
            String name,
            String ownerId,
            String announcement,
            boolean muted,
            @Nullable Long dissolvedAt,
            long version,
            long membersVersion,
            long createdAt,
            Set<String> admins,
            Map<String, Long> mutes) {

        public boolean dissolved() {
            return dissolvedAt != null;
        }

        /** The owner or an admin. */
        public boolean manages(String userId) {
            return ownerId.equals(userId) || admins.contains(userId);
        }

        /** Whether the user's messages sent at {@code at} (epoch milliseconds) are refused by a mute of theirs. */
        public boolean mutes(String userId, long at) {
            Long until = mutes.get(userId);
            return until != null && at < until;
        }

        /** Whether a message of the user sent at {@code at} is refused: a mute of theirs, or the group's. */
        public boolean silences(String userId, long at) {
            return mutes(userId, at) || muted && !manages(userId);
        }
    }

    /** A group with its members now: what the group calls and the groups data type answer. */
    public record Details(Group group, List<String> members) {}

    public Optional<Group> find(String groupId) {
        return Optional.ofNullable(states(List.of(groupId)).get(groupId));
    }

    /** The groups among these that exist, each with its admins and mutes: three statements for any number. */
    public Map<String, Group> states(Collection<String> groupIds) {
        Map<String, Group> groups = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(new TreeSet<>(groupIds)), SqlLists.ROWS_PER_STATEMENT)) {
            Map<String, Set<String>> admins = new HashMap<>();
            Map<String, Map<String, Long>> mutes = new HashMap<>();
            List<Object> twice = new ArrayList<>(chunk);
            twice.addAll(chunk);
            jdbc.sql(ROLES.formatted(placeholders(chunk.size()))).params(twice).query(rs -> {
                if (rs.getString(3).equals("admin")) {
                    admins.computeIfAbsent(rs.getString(1), id -> new TreeSet<>())
                            .add(rs.getString(2));
                } else {
                    mutes.computeIfAbsent(rs.getString(1), id -> new TreeMap<>())
                            .put(rs.getString(2), rs.getLong(4));
                }
            });
            jdbc.sql(STATES.formatted(placeholders(chunk.size()))).params(chunk).query(rs -> {
                String groupId = rs.getString(1);
                long dissolvedAt = rs.getLong(6);
                Long dissolved = rs.wasNull() ? null : dissolvedAt;
                groups.put(
                        groupId,
                        new Group(
                                groupId,
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getBoolean(5),
                                dissolved,
                                rs.getLong(7),
                                rs.getLong(8),
                                rs.getLong(9),
                                admins.getOrDefault(groupId, Set.of()),
                                mutes.getOrDefault(groupId, Map.of())));
            });
        }
        return groups;
    }

    /** These groups (those that exist) with their members now, in the order asked. */
    public List<Details> details(Collection<String> groupIds) {
        if (groupIds.isEmpty()) {
            return List.of();
        }
        Map<String, Group> groups = states(groupIds);
        Map<String, List<String>> members = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(groups.keySet()), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(MEMBERS_NOW.formatted(placeholders(chunk.size())))
                    .params(chunk)
                    .query(rs -> {
                        members.computeIfAbsent(rs.getString(1), id -> new ArrayList<>())
                                .add(rs.getString(2));
                    });
        }
        Map<String, Details> ordered = new LinkedHashMap<>();
        for (String groupId : groupIds) {
            Group group = groups.get(groupId);
            if (group != null) {
                ordered.put(groupId, new Details(group, members.getOrDefault(groupId, List.of())));
            }
        }
        return List.copyOf(ordered.values());
    }

    /** The groups the user is in now (a member, and not dissolved), in id order. */
    public List<String> groupsOf(String userId) {
        return jdbc.sql(GROUPS_OF).param("userId", userId).query(String.class).list();
    }

    /** Writes the group's name, announcement, mute and owner, under a new version. */
    public void update(Group group) {
        jdbc.sql(UPDATE)
                .param("groupId", group.groupId())
                .param("name", group.name())
                .param("announcement", group.announcement())
                .param("muted", group.muted())
                .param("ownerId", group.ownerId())
                .param("version", group.version())
                .update();
    }

    public void dissolve(String groupId, long at, long version) {
        jdbc.sql(DISSOLVE)
                .param("groupId", groupId)
                .param("at", at)
                .param("version", version)
                .update();
    }

    public void setAdmin(String groupId, String userId, boolean admin) {
        jdbc.sql(admin ? ADD_ADMIN : REMOVE_ADMIN)
                .param("groupId", groupId)
                .param("userId", userId)
                .update();
    }

    /** Mutes the member until {@code until} (epoch milliseconds, {@link #UNTIL_UNMUTED} for no end). */
    public void mute(String groupId, String userId, long until) {
        jdbc.sql(MUTE)
                .param("groupId", groupId)
                .param("userId", userId)
                .param("until", until)
                .update();
    }

    public void unmute(String groupId, String userId) {
        jdbc.sql(UNMUTE).param("groupId", groupId).param("userId", userId).update();
    }
}
