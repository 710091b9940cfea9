package dev.courier.gateway.group;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads groups and creates them. Membership changes after creation are not written here: they travel
 * {@code courier.conversations} and the fanout-worker applies them in log order.
 */
@Repository
public class GroupRepository {

    private static final String INSERT_GROUP = """
            INSERT INTO chat_groups (group_id, name, owner_id, members_version, created_at)
            VALUES (:groupId, :name, :ownerId, 1, :now)
            """;

    private static final String INSERT_MEMBER = """
            INSERT INTO group_members (group_id, user_id, joined_version) VALUES (:groupId, :userId, 1)
            """;

    private static final String FIND = """
            SELECT group_id, name, owner_id FROM chat_groups WHERE group_id = :groupId
            """;

    private static final String MEMBERS = """
            SELECT user_id FROM group_members WHERE group_id = :groupId AND left_version IS NULL ORDER BY user_id
            """;

    private static final String IS_MEMBER = """
            SELECT COUNT(*) FROM group_members
            WHERE group_id = :groupId AND user_id = :userId AND left_version IS NULL
            """;

    private final JdbcClient jdbc;

    GroupRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @throws org.springframework.dao.DuplicateKeyException when the group id is taken */
    @Transactional
    void create(String groupId, String name, String ownerId, Collection<String> members, long now) {
        jdbc.sql(INSERT_GROUP)
            .param("groupId", groupId)
            .param("name", name)
            .param("ownerId", ownerId)
            .param("now", now)
            .update();
        for (String member : members) {
            jdbc.sql(INSERT_MEMBER).param("groupId", groupId).param("userId", member).update();
        }
    }

    public Optional<Group> find(String groupId) {
        return jdbc.sql(FIND)
            .param("groupId", groupId)
            .query((rs, row) -> new Group(rs.getString(1), rs.getString(2), rs.getString(3)))
            .optional();
    }

    List<String> members(String groupId) {
        return jdbc.sql(MEMBERS).param("groupId", groupId).query(String.class).list();
    }

    /** Whether the user is a member now, as far as the fanout-worker has applied the group's log. */
    public boolean isMember(String groupId, String userId) {
        return jdbc.sql(IS_MEMBER).param("groupId", groupId).param("userId", userId).query(Long.class).single() > 0;
    }

    /** A group as stored. */
    public record Group(String groupId, String name, String ownerId) {
    }
}
