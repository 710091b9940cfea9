package dev.courier.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

import static dev.courier.store.SqlLists.chunks;
import static dev.courier.store.SqlLists.placeholders;

/**
 * Groups and their members. Membership is a versioned history: a user was a member for the versions
 * {@code [joined_version, left_version)}, and each membership change makes a new version. Only the expansion stage
 * changes membership after a group is created, in the order of the group's log; every other reader asks "who are
 * the members now" (as far as the log has been applied) or "who were the members at version v" (which never changes).
 */
public class MembershipRepository {

    /** Groups per statement when reading members at given versions (each group brings up to its size in rows). */
    static final int GROUPS_PER_STATEMENT = 100;

    private static final String INSERT_GROUP = """
            INSERT INTO chat_groups (group_id, name, owner_id, members_version, created_at)
            VALUES (:groupId, :name, :ownerId, 1, :now)
            """;

    private static final String INSERT_FIRST_MEMBER = """
            INSERT INTO group_members (group_id, user_id, joined_version) VALUES (:groupId, :userId, 1)
            """;

    private static final String FIND = "SELECT group_id, name, owner_id FROM chat_groups WHERE group_id = :groupId";

    private static final String MEMBERS_NOW = """
            SELECT user_id FROM group_members WHERE group_id = :groupId AND left_version IS NULL ORDER BY user_id
            """;

    private static final String IS_MEMBER_NOW = """
            SELECT COUNT(*) FROM group_members
            WHERE group_id = :groupId AND user_id = :userId AND left_version IS NULL
            """;

    private static final String EVER_MEMBER = """
            SELECT COUNT(*) FROM group_members WHERE group_id = :groupId AND user_id = :userId
            """;

    private static final String VERSIONS = "SELECT group_id, members_version FROM chat_groups WHERE group_id IN (%s)";

    private static final String MEMBERS_AT_MANY = """
            SELECT group_id, user_id, joined_version, left_version FROM group_members WHERE %s
            ORDER BY group_id, user_id
            """;

    private static final String MEMBERS_AT_ONE = """
            (group_id = ? AND joined_version <= ? AND (left_version IS NULL OR left_version > ?))""";

    private static final String MEMBERS_AT = """
            SELECT user_id FROM group_members
            WHERE group_id = :groupId AND joined_version <= :version
              AND (left_version IS NULL OR left_version > :version)
            ORDER BY user_id
            """;

    private static final String LOCK_GROUP = """
            SELECT members_version FROM chat_groups WHERE group_id = :groupId FOR UPDATE
            """;

    private static final String EVENT_APPLIED = "SELECT COUNT(*) FROM group_events WHERE event_id = :eventId";

    private static final String JOIN = """
            INSERT INTO group_members (group_id, user_id, joined_version) VALUES (:groupId, :userId, :version)
            """;

    private static final String LEAVE = """
            UPDATE group_members SET left_version = :version
            WHERE group_id = :groupId AND user_id = :userId AND left_version IS NULL
            """;

    private static final String BUMP_VERSION = """
            UPDATE chat_groups SET members_version = :version WHERE group_id = :groupId
            """;

    private static final String RECORD_EVENT = """
            INSERT INTO group_events (event_id, group_id, members_version, applied_at)
            VALUES (:eventId, :groupId, :version, :now)
            """;

    private final JdbcClient jdbc;

    public MembershipRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A group as stored. */
    public record Group(String groupId, String name, String ownerId) {}

    /** A group at one members version. */
    public record GroupVersion(String groupId, long version) {}

    /**
     * Creates a group with its first members (version 1).
     *
     * @throws org.springframework.dao.DuplicateKeyException when the group id is taken
     */
    @Transactional
    public void create(String groupId, String name, String ownerId, Collection<String> members, long now) {
        jdbc.sql(INSERT_GROUP)
                .param("groupId", groupId)
                .param("name", name)
                .param("ownerId", ownerId)
                .param("now", now)
                .update();
        for (String member : members) {
            jdbc.sql(INSERT_FIRST_MEMBER)
                    .param("groupId", groupId)
                    .param("userId", member)
                    .update();
        }
    }

    public Optional<Group> find(String groupId) {
        return jdbc.sql(FIND)
                .param("groupId", groupId)
                .query((rs, row) -> new Group(rs.getString(1), rs.getString(2), rs.getString(3)))
                .optional();
    }

    public boolean exists(String groupId) {
        return find(groupId).isPresent();
    }

    /** The members now, as far as the expansion stage has applied the group's log, in id order. */
    public List<String> membersNow(String groupId) {
        return jdbc.sql(MEMBERS_NOW)
                .param("groupId", groupId)
                .query(String.class)
                .list();
    }

    /** Whether the user is a member now, as far as the expansion stage has applied the group's log. */
    public boolean isMemberNow(String groupId, String userId) {
        return jdbc.sql(IS_MEMBER_NOW)
                        .param("groupId", groupId)
                        .param("userId", userId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** Whether the user was a member of the group at any point of its log so far. */
    public boolean wasEverMember(String groupId, String userId) {
        return jdbc.sql(EVER_MEMBER)
                        .param("groupId", groupId)
                        .param("userId", userId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** The current members version of each of these groups that exists. */
    public Map<String, Long> versions(Collection<String> groupIds) {
        Map<String, Long> found = new HashMap<>();
        for (List<String> chunk : chunks(List.copyOf(groupIds), SqlLists.ROWS_PER_STATEMENT)) {
            jdbc.sql(VERSIONS.formatted(placeholders(chunk.size())))
                    .params(chunk)
                    .query(rs -> {
                        found.put(rs.getString(1), rs.getLong(2));
                    });
        }
        return found;
    }

    /** The members of each group at the given version (a group without members at it maps to an empty list). */
    public Map<GroupVersion, List<String>> membersAt(Collection<GroupVersion> groupVersions) {
        Map<GroupVersion, List<String>> members = new HashMap<>();
        for (List<GroupVersion> chunk : chunks(List.copyOf(groupVersions), GROUPS_PER_STATEMENT)) {
            List<Object> args = new ArrayList<>(chunk.size() * 3);
            // a group may be asked at several versions: each row goes to every version it belongs to
            Map<String, List<GroupVersion>> asked = new HashMap<>();
            for (GroupVersion group : chunk) {
                members.put(group, new ArrayList<>());
                asked.computeIfAbsent(group.groupId(), id -> new ArrayList<>()).add(group);
                args.add(group.groupId());
                args.add(group.version());
                args.add(group.version());
            }
            jdbc.sql(MEMBERS_AT_MANY.formatted(String.join(" OR ", Collections.nCopies(chunk.size(), MEMBERS_AT_ONE))))
                    .params(args)
                    .query(rs -> {
                        long joined = rs.getLong(3);
                        long left = rs.getLong(4);
                        boolean stayed = rs.wasNull();
                        for (GroupVersion group : asked.getOrDefault(rs.getString(1), List.of())) {
                            if (joined <= group.version() && (stayed || left > group.version())) {
                                members.computeIfAbsent(group, g -> new ArrayList<>())
                                        .add(rs.getString(2));
                            }
                        }
                    });
        }
        return members;
    }

    /** The members of the group at the version, in id order. */
    public List<String> membersAt(String groupId, long version) {
        return jdbc.sql(MEMBERS_AT)
                .param("groupId", groupId)
                .param("version", version)
                .query(String.class)
                .list();
    }

    /** Whether a membership event was applied (its id is recorded with the version it made). */
    public boolean isApplied(String eventId) {
        return jdbc.sql(EVENT_APPLIED)
                        .param("eventId", eventId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /**
     * Locks the group row for a membership change (in the caller's transaction) and returns its version, if the
     * group exists.
     */
    public Optional<Long> lockForChange(String groupId) {
        return jdbc.sql(LOCK_GROUP).param("groupId", groupId).query(Long.class).optional();
    }

    /** The user joins at the version (the caller checked it is not a member). */
    public void join(String groupId, String userId, long version) {
        jdbc.sql(JOIN)
                .param("groupId", groupId)
                .param("userId", userId)
                .param("version", version)
                .update();
    }

    /** The user, if a member, leaves at the version. */
    public void leave(String groupId, String userId, long version) {
        jdbc.sql(LEAVE)
                .param("groupId", groupId)
                .param("userId", userId)
                .param("version", version)
                .update();
    }

    /** Makes the version the group's current one, made by this event (so a redelivered event is recognised). */
    public void recordEvent(String eventId, String groupId, long version, long now) {
        jdbc.sql(BUMP_VERSION)
                .param("groupId", groupId)
                .param("version", version)
                .update();
        jdbc.sql(RECORD_EVENT)
                .param("eventId", eventId)
                .param("groupId", groupId)
                .param("version", version)
                .param("now", now)
                .update();
    }
}
