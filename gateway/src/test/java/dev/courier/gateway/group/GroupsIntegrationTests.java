package dev.courier.gateway.group;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.TestGateway;
import dev.courier.gateway.TestRows;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Groups: created at once with the caller as owner and member, and the group's first record ({@code group.created}) in
 * its log; read by members only, and listed for the caller while they are in them; members added and removed by the
 * owner or an admin through a record in the group's log ({@code courier.conversations}, keyed {@code g:<groupId>}),
 * read here by a real consumer. No expansion stage runs here: what it would apply is put in the rows by hand
 * ({@link TestRows}).
 */
class GroupsIntegrationTests {

    private final Api api = TestGateway.api();

    private final ConversationLog log = TestGateway.conversations();

    @Test
    void groupIsCreatedWithTheCallerAsOwnerAndMemberAndIsReadByMembersOnly() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        Api.Response created = api.createGroup(owner, groupId, "Team", List.of(bob.userId(), bob.userId()));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.body().path("groupId").asString()).isEqualTo(groupId);
        assertThat(created.body().path("name").asString()).isEqualTo("Team");
        assertThat(created.body().path("owner").asString()).isEqualTo(owner.userId());
        assertThat(userIds(created.body().path("members"))).containsExactlyInAnyOrder(owner.userId(), bob.userId());
        assertThat(created.body().path("admins").isArray()).isTrue();
        assertThat(created.body().path("admins").isEmpty())
                .as("admins never lists the owner")
                .isTrue();
        assertThat(created.body().path("announcement").asString()).isEmpty();
        assertThat(created.body().path("announcement").isString()).isTrue();
        assertThat(created.body().path("muted").isBoolean()).isTrue();
        assertThat(created.body().path("muted").asBoolean()).isFalse();
        assertThat(created.body().path("memberCount").asInt()).isEqualTo(2);
        assertThat(created.body().path("version").asLong()).isEqualTo(1);
        assertThat(created.body().has("left")).isFalse();
        assertThat(created.body().has("dissolved")).isFalse();

        ConversationLog.Entry first = log.await(entry -> entry.key().equals("g:" + groupId));
        assertThat(first.type()).as("the group's first record").isEqualTo("group.created");
        assertThat(first.value().path("groupId").asString()).isEqualTo(groupId);
        assertThat(first.value().path("by").asString()).isEqualTo(owner.userId());
        assertThat(Instant.parse(first.value().path("at").asString())).isBeforeOrEqualTo(Instant.now());

        for (Api.Session member : List.of(owner, bob)) {
            Api.Response read = get(member, groupId);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.body().path("groupId").asString()).isEqualTo(groupId);
            assertThat(read.body().path("name").asString()).isEqualTo("Team");
            assertThat(read.body().path("owner").asString()).isEqualTo(owner.userId());
            assertThat(userIds(read.body().path("members"))).containsExactlyInAnyOrder(owner.userId(), bob.userId());
            assertThat(read.body()).isEqualTo(created.body());
        }
        assertProblem(get(outsider, groupId), 403, "not_member", groupId);
        assertProblem(get(owner, "nogroup-" + owner.userId()), 404, "not_found", "group");
        assertProblem(get(owner, "Not-An-Id"), 404, "not_found", "group");
    }

    @Test
    void missingGroupIdIsGeneratedAndATakenOneConflicts() {
        Api.Session owner = api.newUser("owner");
        Api.Response generated = api.createGroup(owner, null, "Generated id", List.of());
        assertThat(generated.status()).isEqualTo(201);
        String groupId = generated.body().path("groupId").asString();
        assertThat(groupId).matches("[a-z0-9._-]{1,64}");
        assertThat(userIds(generated.body().path("members"))).containsExactly(owner.userId());
        assertProblem(api.createGroup(owner, groupId, "G", List.of()), 409, "conflict", "groupId");
    }

    @Test
    void creationRetriedByItsOwnerIsAnsweredAgainAndADifferentCreationWithTheSameIdConflicts() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = Api.uniqueId("g");
        Api.Response created = api.createGroup(owner, groupId, "Team", List.of(bob.userId()));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);

        // its answer lost, the owner sends the same creation again (the members in another order, the owner named)
        Api.Response retried = api.createGroup(owner, groupId, "Team", List.of(bob.userId(), owner.userId()));
        assertThat(retried.status()).as(retried.body().toString()).isEqualTo(201);
        assertThat(retried.body()).isEqualTo(created.body());

        assertProblem(api.createGroup(owner, groupId, "Other name", List.of(bob.userId())), 409, "conflict", groupId);
        assertProblem(api.createGroup(owner, groupId, "Team", List.of(carol.userId())), 409, "conflict", groupId);
        assertProblem(api.createGroup(owner, groupId, "Team", List.of()), 409, "conflict", groupId);
        assertProblem(api.createGroup(bob, groupId, "Team", List.of(owner.userId())), 409, "conflict", groupId);
        // once the group changed it is no longer that creation
        TestRows.rename(groupId, "Team");
        assertProblem(api.createGroup(owner, groupId, "Team", List.of(bob.userId())), 409, "conflict", groupId);
        assertThat(get(owner, groupId).body().path("members").size())
                .as("no refused creation changed the group")
                .isEqualTo(2);
    }

    @Test
    void invalidGroupsNameTheField() {
        Api.Session owner = api.newUser("owner");
        assertProblem(api.createGroup(owner, "Bad Id", "G", List.of()), 400, "invalid_request", "groupId");
        assertProblem(api.createGroup(owner, null, "", List.of()), 400, "invalid_request", "name");
        assertProblem(api.createGroup(owner, null, "n".repeat(129), List.of()), 400, "invalid_request", "name");
        assertProblem(
                api.createGroup(owner, null, "G", List.of(owner.userId(), "Not Valid")),
                400,
                "invalid_request",
                "members[1]");
        assertProblem(
                api.createGroup(owner, null, "G", List.of("nobody-" + owner.userId())), 404, "not_found", "members");
        assertProblem(
                api.post(api.gateway + "/v1/groups", owner.token(), Api.json("name", "G")),
                400,
                "invalid_request",
                "members");
    }

    @Test
    void groupObjectShowsItsAdminsAnnouncementMuteAndVersionAsStored() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        Api.Session dave = api.newUser("dave");
        String groupId = created(owner, bob, carol, dave);
        TestRows.admin(groupId, dave.userId());
        TestRows.admin(groupId, bob.userId());
        TestRows.announce(groupId, "Stand-up at ten");
        TestRows.muteGroup(groupId);
        TestRows.mute(groupId, carol.userId(), Long.MAX_VALUE);

        JsonNode group = get(carol, groupId).body();
        assertThat(group.path("owner").asString()).isEqualTo(owner.userId());
        assertThat(userIds(group.path("admins")))
                .as("in id order, never the owner")
                .containsExactlyElementsOf(
                        List.of(bob.userId(), dave.userId()).stream().sorted().toList());
        assertThat(userIds(group.path("members")))
                .containsExactlyElementsOf(List.of(owner.userId(), bob.userId(), carol.userId(), dave.userId()).stream()
                        .sorted()
                        .toList());
        assertThat(group.path("announcement").asString()).isEqualTo("Stand-up at ten");
        assertThat(group.path("muted").asBoolean()).isTrue();
        assertThat(group.path("memberCount").asInt()).isEqualTo(4);
        assertThat(group.path("version").asLong())
                .as("one more with each change of the object; a member's mute is none")
                .isEqualTo(5)
                .isEqualTo(TestRows.groupVersion(groupId));
    }

    @Test
    void groupListHoldsTheGroupsTheCallerIsInNowInIdOrder() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        String prefix = Api.uniqueId("g");
        String open = createdAs(prefix + "-b", owner, bob);
        String joined = createdAs(prefix + "-a", owner);
        TestRows.join(joined, bob.userId());
        String left = createdAs(prefix + "-c", owner, bob);
        TestRows.leave(left, bob.userId());
        String dissolved = createdAs(prefix + "-d", owner, bob);
        TestRows.dissolve(dissolved);
        createdAs(prefix + "-e", owner);

        Api.Response list = api.groups(bob);
        assertThat(list.status()).as(list.body().toString()).isEqualTo(200);
        assertThat(list.body()
                        .path("groups")
                        .valueStream()
                        .map(group -> group.path("groupId").asString()))
                .as("the groups bob is in now, not dissolved, in id order")
                .containsExactly(joined, open);
        assertThat(list.body().path("groups").get(1)).isEqualTo(get(bob, open).body());
        JsonNode joinedGroup = list.body().path("groups").get(0);
        assertThat(userIds(joinedGroup.path("members"))).contains(bob.userId());
        assertThat(joinedGroup.path("memberCount").asInt()).isEqualTo(2);
        assertThat(joinedGroup.path("version").asLong()).isEqualTo(2);

        assertThat(api.groups(owner).body().path("groups").size()).isEqualTo(4);
        Api.Session loner = api.newUser("loner");
        Api.Response none = api.groups(loner);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body().path("groups").isArray()).isTrue();
        assertThat(none.body().path("groups").isEmpty()).isTrue();
    }

    @Test
    void dissolvedGroupIsNotFoundAndAGroupLeftIsNotTheCallersAnyMore() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = created(owner, bob, carol);
        TestRows.leave(groupId, carol.userId());
        assertProblem(get(carol, groupId), 403, "not_member", groupId);
        assertProblem(api.addMembers(carol, groupId, List.of(owner.userId())), 403, "not_member", groupId);

        TestRows.dissolve(groupId);
        for (Api.Session caller : List.of(owner, bob, carol)) {
            assertProblem(get(caller, groupId), 404, "not_found", groupId);
            assertProblem(api.addMembers(caller, groupId, List.of(carol.userId())), 404, "not_found", groupId);
            assertProblem(api.removeMember(caller, groupId, bob.userId()), 404, "not_found", groupId);
        }
        assertProblem(api.removeMember(bob, groupId, bob.userId()), 404, "not_found", groupId);
        assertThat(log.conversation("g:" + groupId))
                .extracting(ConversationLog.Entry::type)
                .as("nothing refused was logged")
                .containsOnly("group.created");
    }

    @Test
    void ownerAddsMembersThroughTheGroupsLog() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = created(owner);

        Api.Response added = api.addMembers(owner, groupId, List.of(carol.userId(), bob.userId(), carol.userId()));
        assertThat(added.status()).as(added.body().toString()).isEqualTo(202);
        assertThat(added.body().path("groupId").asString()).isEqualTo(groupId);
        assertThat(userIds(added.body().path("userIds"))).containsExactly(bob.userId(), carol.userId());

        ConversationLog.Entry record = log.await(
                entry -> entry.key().equals("g:" + groupId) && entry.type().equals("members.added"));
        assertThat(record.value().path("groupId").asString()).isEqualTo(groupId);
        assertThat(record.value().path("by").asString()).isEqualTo(owner.userId());
        assertThat(userIds(record.value().path("userIds"))).containsExactly(bob.userId(), carol.userId());
        assertThat(record.value().path("eventId").asString()).isNotBlank();
        assertThat(record.value().path("at").asString()).isNotBlank();
        assertThat(TestGateway.database()
                        .sql("SELECT COUNT(*) FROM group_members WHERE group_id = ?")
                        .param(groupId)
                        .query(Long.class)
                        .single())
                .as("the fanout-worker applies the change at its point in the log; the gateway only logs it")
                .isEqualTo(1);
    }

    @Test
    void ownerRemovesAMemberAndAMemberLeavesThroughTheGroupsLog() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = created(owner, bob, carol);

        Api.Response removed = api.removeMember(owner, groupId, bob.userId());
        assertThat(removed.status()).as(removed.body().toString()).isEqualTo(202);
        assertThat(removed.body().path("groupId").asString()).isEqualTo(groupId);
        assertThat(userIds(removed.body().path("userIds"))).containsExactly(bob.userId());
        Api.Response left = api.removeMember(carol, groupId, carol.userId());
        assertThat(left.status()).as(left.body().toString()).isEqualTo(202);

        List<ConversationLog.Entry> records = awaitRecords(groupId, "member.removed", 2);
        assertThat(records.get(0).value().path("userId").asString()).isEqualTo(bob.userId());
        assertThat(records.get(0).value().path("by").asString()).isEqualTo(owner.userId());
        assertThat(records.get(1).value().path("userId").asString()).isEqualTo(carol.userId());
        assertThat(records.get(1).value().path("by").asString()).isEqualTo(carol.userId());
        assertThat(records.get(0).value().path("eventId").asString())
                .isNotEqualTo(records.get(1).value().path("eventId").asString());
    }

    @Test
    void adminsAddAndRemoveMembersButOnlyTheOwnerRemovesAnAdmin() {
        Api.Session owner = api.newUser("owner");
        Api.Session admin = api.newUser("admin");
        Api.Session other = api.newUser("other");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = created(owner, admin, other, bob);
        TestRows.admin(groupId, admin.userId());
        TestRows.admin(groupId, other.userId());

        assertThat(api.addMembers(admin, groupId, List.of(carol.userId())).status())
                .isEqualTo(202);
        assertThat(api.removeMember(admin, groupId, bob.userId()).status()).isEqualTo(202);
        assertProblem(api.removeMember(admin, groupId, other.userId()), 403, "forbidden", "only the owner");
        assertProblem(api.removeMember(admin, groupId, owner.userId()), 409, "conflict", "owner");
        assertThat(api.removeMember(owner, groupId, other.userId()).status()).isEqualTo(202);
        assertThat(api.removeMember(admin, groupId, admin.userId()).status())
                .as("an admin may leave")
                .isEqualTo(202);

        List<ConversationLog.Entry> added = awaitRecords(groupId, "members.added", 1);
        assertThat(added.getFirst().value().path("by").asString()).isEqualTo(admin.userId());
        assertThat(userIds(added.getFirst().value().path("userIds"))).containsExactly(carol.userId());
        assertThat(awaitRecords(groupId, "member.removed", 3))
                .extracting(entry -> entry.value().path("by").asString() + " removes "
                        + entry.value().path("userId").asString())
                .containsExactly(
                        admin.userId() + " removes " + bob.userId(),
                        owner.userId() + " removes " + other.userId(),
                        admin.userId() + " removes " + admin.userId());
    }

    @Test
    void membershipRulesAreEnforcedAndRefusedChangesAreNotLogged() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        Api.Session outsider = api.newUser("outsider");
        String groupId = created(owner, bob, carol);
        TestRows.leave(groupId, carol.userId());

        assertProblem(api.addMembers(bob, groupId, List.of(outsider.userId())), 403, "forbidden", "owner");
        assertProblem(api.removeMember(bob, groupId, owner.userId()), 403, "forbidden", "owner");
        assertProblem(api.addMembers(outsider, groupId, List.of(outsider.userId())), 403, "not_member", groupId);
        assertProblem(api.removeMember(outsider, groupId, bob.userId()), 403, "not_member", groupId);
        assertProblem(api.removeMember(owner, groupId, owner.userId()), 409, "conflict", "owner");
        assertProblem(api.addMembers(owner, groupId, List.of("nobody-" + owner.userId())), 404, "not_found", "userIds");
        assertProblem(api.addMembers(owner, groupId, List.of("Not Valid")), 400, "invalid_request", "userIds[0]");
        assertProblem(api.addMembers(owner, groupId, List.of()), 400, "invalid_request", "userIds");
        assertProblem(api.removeMember(owner, groupId, "nobody-" + owner.userId()), 404, "not_found", "userId");
        assertProblem(api.removeMember(owner, groupId, carol.userId()), 404, "not_found", "not a member");
        assertProblem(api.removeMember(owner, groupId, outsider.userId()), 404, "not_found", "not a member");
        String nogroup = "nogroup-" + owner.userId();
        assertProblem(api.addMembers(owner, nogroup, List.of(bob.userId())), 404, "not_found", "group");
        assertProblem(api.removeMember(owner, nogroup, bob.userId()), 404, "not_found", "group");

        // a change that is accepted comes after the refused ones in the group's log, and is the only change there
        assertThat(api.addMembers(owner, groupId, List.of(outsider.userId())).status())
                .isEqualTo(202);
        awaitRecords(groupId, "members.added", 1);
        assertThat(log.conversation("g:" + groupId))
                .extracting(ConversationLog.Entry::type)
                .containsExactly("group.created", "members.added");
        assertThat(userIds(log.conversation("g:" + groupId).getLast().value().path("userIds")))
                .containsExactly(outsider.userId());
    }

    private String created(Api.Session owner, Api.Session... members) {
        return createdAs(Api.uniqueId("g"), owner, members);
    }

    private String createdAs(String groupId, Api.Session owner, Api.Session... members) {
        Api.Response created = api.createGroup(
                owner,
                groupId,
                "G",
                List.of(members).stream().map(Api.Session::userId).toList());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return groupId;
    }

    /** The group's records of the type once there are {@code count} of them, in the order of the log. */
    private List<ConversationLog.Entry> awaitRecords(String groupId, String type, int count) {
        await().until(() -> records(groupId, type).size() >= count);
        return records(groupId, type);
    }

    private List<ConversationLog.Entry> records(String groupId, String type) {
        return log.conversation("g:" + groupId).stream()
                .filter(entry -> entry.type().equals(type))
                .toList();
    }

    private Api.Response get(Api.Session caller, String groupId) {
        return api.group(caller, groupId);
    }

    private static List<String> userIds(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
