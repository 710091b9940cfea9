package dev.courier.gateway.group;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Groups: created at once with the caller as owner and member; read by members only; members added and removed by a
 * record in the group's log ({@code courier.conversations}, keyed {@code g:<groupId>}), read here by a real consumer.
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

        for (Api.Session member : List.of(owner, bob)) {
            Api.Response read = get(member, groupId);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.body().path("groupId").asString()).isEqualTo(groupId);
            assertThat(read.body().path("name").asString()).isEqualTo("Team");
            assertThat(read.body().path("owner").asString()).isEqualTo(owner.userId());
            assertThat(userIds(read.body().path("members"))).containsExactlyInAnyOrder(owner.userId(), bob.userId());
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
    void ownerAddsMembersThroughTheGroupsLog() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = created(owner);

        Api.Response added = api.addMembers(owner, groupId, List.of(carol.userId(), bob.userId(), carol.userId()));
        assertThat(added.status()).as(added.body().toString()).isEqualTo(202);
        assertThat(added.body().path("groupId").asString()).isEqualTo(groupId);
        assertThat(userIds(added.body().path("userIds"))).containsExactly(bob.userId(), carol.userId());

        ConversationLog.Entry record = log.await(entry -> entry.key().equals("g:" + groupId));
        assertThat(record.type()).isEqualTo("members.added");
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
        assertThat(userIds(removed.body().path("userIds"))).containsExactly(bob.userId());
        Api.Response left = api.removeMember(carol, groupId, carol.userId());
        assertThat(left.status()).as(left.body().toString()).isEqualTo(202);

        List<ConversationLog.Entry> records = awaitRecords(groupId, 2);
        assertThat(records).extracting(ConversationLog.Entry::type).containsExactly("member.removed", "member.removed");
        assertThat(records.get(0).value().path("userId").asString()).isEqualTo(bob.userId());
        assertThat(records.get(0).value().path("by").asString()).isEqualTo(owner.userId());
        assertThat(records.get(1).value().path("userId").asString()).isEqualTo(carol.userId());
        assertThat(records.get(1).value().path("by").asString()).isEqualTo(carol.userId());
        assertThat(records.get(0).value().path("eventId").asString())
                .isNotEqualTo(records.get(1).value().path("eventId").asString());
    }

    @Test
    void membershipRulesAreEnforcedAndRefusedChangesAreNotLogged() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session outsider = api.newUser("outsider");
        String groupId = created(owner, bob);

        assertProblem(api.addMembers(bob, groupId, List.of(outsider.userId())), 403, "forbidden", "owner");
        assertProblem(api.removeMember(outsider, groupId, bob.userId()), 403, "forbidden", "owner");
        assertProblem(api.removeMember(owner, groupId, owner.userId()), 409, "conflict", "owner");
        assertProblem(api.addMembers(owner, groupId, List.of("nobody-" + owner.userId())), 404, "not_found", "userIds");
        assertProblem(api.addMembers(owner, groupId, List.of("Not Valid")), 400, "invalid_request", "userIds[0]");
        assertProblem(api.addMembers(owner, groupId, List.of()), 400, "invalid_request", "userIds");
        assertProblem(api.removeMember(owner, groupId, "nobody-" + owner.userId()), 404, "not_found", "userId");
        String nogroup = "nogroup-" + owner.userId();
        assertProblem(api.addMembers(owner, nogroup, List.of(bob.userId())), 404, "not_found", "group");
        assertProblem(api.removeMember(owner, nogroup, bob.userId()), 404, "not_found", "group");

        // a change that is accepted comes after the refused ones in the group's log, and is the only record there
        assertThat(api.addMembers(owner, groupId, List.of(outsider.userId())).status())
                .isEqualTo(202);
        assertThat(awaitRecords(groupId, 1))
                .singleElement()
                .satisfies(record ->
                        assertThat(userIds(record.value().path("userIds"))).containsExactly(outsider.userId()));
    }

    private String created(Api.Session owner, Api.Session... members) {
        String groupId = Api.uniqueId("g");
        Api.Response created = api.createGroup(
                owner,
                groupId,
                "G",
                List.of(members).stream().map(Api.Session::userId).toList());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return groupId;
    }

    /** The group's records once there are {@code count} of them; the last is awaited, the earlier precede it. */
    private List<ConversationLog.Entry> awaitRecords(String groupId, int count) {
        await().until(() -> log.conversation("g:" + groupId).size() >= count);
        return log.conversation("g:" + groupId);
    }

    private Api.Response get(Api.Session caller, String groupId) {
        return api.call("GET", api.gateway + "/v1/groups/" + groupId, caller.token(), null, null);
    }

    private static List<String> userIds(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
