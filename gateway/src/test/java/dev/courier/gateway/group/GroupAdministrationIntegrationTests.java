package dev.courier.gateway.group;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;
import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.Decisions;
import dev.courier.gateway.TestGateway;
import dev.courier.gateway.TestRows;
import dev.courier.store.GroupRepository;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group administration ({@code PATCH /v1/groups/{groupId}}, admins, ownership, member mutes, dissolving): each change
 * is a record in the group's log ({@code courier.conversations}, keyed {@code g:<groupId>}), answered once the
 * expansion stage decided it there, which the tests play by hand ({@link Decisions}); every refusal a caller can meet
 * is answered early, in the protocol's order (the group, the caller's membership, the role, the user named, a
 * conflict), and writes nothing. Boundary values that are accepted are sent to the gateway with a short change timeout
 * ({@link TestGateway#limited()}), which answers {@code 202} pending.
 */
class GroupAdministrationIntegrationTests {

    private final Api api = TestGateway.api();

    /** Answers a change {@code 202} pending after 100 ms. */
    private final Api pending = TestGateway.limitedApi();

    private final ConversationLog log = TestGateway.conversations();

    /** A group of an owner, an admin, members bob and carol, and someone who is not in it. */
    private record Team(
            String groupId,
            Api.Session owner,
            Api.Session admin,
            Api.Session bob,
            Api.Session carol,
            Api.Session outsider) {

        String key() {
            return "g:" + groupId;
        }
    }

    @Test
    void renameAnnouncementAndGroupMuteAnswerTheGroupOnceDecidedInTheGroupsLog() {
        Team team = team();
        String id = team.groupId();

        Decisions.Decided renamed = Decisions.applied(
                () -> api.updateGroup(team.owner(), id, Api.json("name", "Renamed")),
                team.key(),
                "group.updated",
                () -> TestRows.rename(id, "Renamed"));
        assertThat(renamed.answer().status())
                .as(renamed.answer().body().toString())
                .isEqualTo(200);
        JsonNode group = renamed.answer().body();
        assertThat(group.path("groupId").asString()).isEqualTo(id);
        assertThat(group.path("name").asString())
                .as("the answer includes the change")
                .isEqualTo("Renamed");
        assertThat(group.path("version").asLong()).isEqualTo(TestRows.groupVersion(id));
        JsonNode record = renamed.record().value();
        assertThat(record.path("groupId").asString()).isEqualTo(id);
        assertThat(record.path("name").asString()).isEqualTo("Renamed");
        assertThat(record.path("announcement").isNull()).as("unchanged: null").isTrue();
        assertThat(record.path("muted").isNull()).isTrue();
        assertThat(record.path("by").asString()).isEqualTo(team.owner().userId());
        assertThat(Instant.parse(record.path("at").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(renamed.eventId()).isNotBlank();

        Decisions.Decided announced = Decisions.applied(
                () -> api.updateGroup(team.admin(), id, Api.json("announcement", "Read the rules", "muted", true)),
                team.key(),
                "group.updated",
                () -> {
                    TestRows.announce(id, "Read the rules");
                    TestRows.muteGroup(id);
                });
        assertThat(announced.answer().status())
                .as(announced.answer().body().toString())
                .isEqualTo(200);
        assertThat(announced.answer().body().path("announcement").asString()).isEqualTo("Read the rules");
        assertThat(announced.answer().body().path("muted").asBoolean()).isTrue();
        assertThat(announced.answer().body().path("name").asString()).isEqualTo("Renamed");
        assertThat(announced.record().value().path("name").isNull()).isTrue();
        assertThat(announced.record().value().path("announcement").asString()).isEqualTo("Read the rules");
        assertThat(announced.record().value().path("muted").asBoolean()).isTrue();
        assertThat(announced.record().value().path("by").asString())
                .isEqualTo(team.admin().userId());
        assertThat(announced.eventId()).isNotEqualTo(renamed.eventId());

        // a change that changes nothing is answered like any other
        Decisions.Decided same = Decisions.applied(
                () -> api.updateGroup(team.owner(), id, Api.json("name", "Renamed", "muted", true)),
                team.key(),
                "group.updated",
                () -> {});
        assertThat(same.answer().status()).isEqualTo(200);
        assertThat(same.answer().body()).isEqualTo(announced.answer().body());
    }

    @Test
    void groupUpdatesOutsideTheRulesAreRefusedAndNotLogged() {
        Team team = team();
        String id = team.groupId();
        Api.Session owner = team.owner();
        assertProblem(api.updateGroup(owner, id, "{}"), 400, "invalid_request", "name, announcement or muted");
        assertProblem(
                api.updateGroup(owner, id, "{\"name\":null,\"announcement\":null,\"muted\":null}"),
                400,
                "invalid_request",
                "name, announcement or muted");
        assertProblem(
                api.call("PATCH", api.gateway + "/v1/groups/" + id, owner.token(), null, null),
                400,
                "invalid_request",
                "");
        assertProblem(api.updateGroup(owner, id, Api.json("name", "")), 400, "invalid_request", "name");
        assertProblem(api.updateGroup(owner, id, Api.json("name", "n".repeat(129))), 400, "invalid_request", "name");
        assertProblem(api.updateGroup(owner, id, "{\"name\":42}"), 400, "invalid_request", "name");
        assertProblem(
                api.updateGroup(owner, id, Api.json("announcement", "a".repeat(2001))),
                400,
                "invalid_request",
                "announcement");
        assertProblem(
                api.updateGroup(owner, id, "{\"announcement\":\"a\\ud800\"}"), 400, "invalid_request", "announcement");
        assertProblem(api.updateGroup(owner, id, "{\"muted\":\"yes\"}"), 400, "invalid_request", "muted");
        assertProblem(api.updateGroup(owner, id, "{\"muted\":1}"), 400, "invalid_request", "muted");

        String rename = Api.json("name", "Mine now");
        assertProblem(api.updateGroup(team.bob(), id, rename), 403, "forbidden", "only the owner or an admin");
        assertProblem(api.updateGroup(team.outsider(), id, rename), 403, "not_member", id);
        assertProblem(api.updateGroup(owner, "nogroup-" + id, rename), 404, "not_found", "group");
        assertProblem(api.updateGroup(owner, "Not-An-Id", rename), 404, "not_found", "group");
        TestRows.leave(id, team.carol().userId());
        assertProblem(api.updateGroup(team.carol(), id, rename), 403, "not_member", id);
        assertOnlyCreated(team);

        // the limits themselves are taken
        for (String body : List.of(
                Api.json("name", "n".repeat(128)),
                Api.json("name", "é".repeat(128)),
                Api.json("announcement", "a".repeat(2000)),
                Api.json("announcement", ""),
                Api.json("muted", false))) {
            Api.Response accepted = pending.updateGroup(owner, id, body);
            assertPending(accepted);
            JsonNode record = recordOf(accepted).value();
            assertThat(record.path("type").asString()).isEqualTo("group.updated");
            JsonNode sent = Json.MAPPER.readTree(body);
            sent.properties()
                    .forEach(field ->
                            assertThat(record.path(field.getKey())).as(body).isEqualTo(field.getValue()));
        }
    }

    @Test
    void ownerNamesAndRemovesAdminsOnceDecidedInTheGroupsLog() {
        Team team = team();
        String id = team.groupId();
        String bob = team.bob().userId();

        Decisions.Decided named = Decisions.applied(
                () -> api.setAdmin(team.owner(), id, bob, true),
                team.key(),
                "admin.changed",
                () -> TestRows.admin(id, bob));
        assertThat(named.answer().status()).as(named.answer().body().toString()).isEqualTo(204);
        assertAdminChanged(named.record(), team, bob, true);
        assertThat(userIds(api.group(team.owner(), id).body().path("admins")))
                .containsExactlyElementsOf(sorted(team.admin().userId(), bob));

        Decisions.Decided removed = Decisions.applied(
                () -> api.setAdmin(team.owner(), id, bob, false),
                team.key(),
                "admin.changed",
                () -> TestRows.removeAdmin(id, bob));
        assertThat(removed.answer().status()).isEqualTo(204);
        assertAdminChanged(removed.record(), team, bob, false);
        assertThat(userIds(api.group(team.owner(), id).body().path("admins")))
                .containsExactly(team.admin().userId());

        // a member who is no admin: changes nothing, answered like any other
        Decisions.Decided nothing = Decisions.applied(
                () -> api.setAdmin(team.owner(), id, team.carol().userId(), false),
                team.key(),
                "admin.changed",
                () -> {});
        assertThat(nothing.answer().status()).isEqualTo(204);
        assertAdminChanged(nothing.record(), team, team.carol().userId(), false);
    }

    @Test
    void adminCallsOutsideTheRulesAreRefusedInTheProtocolsOrderAndNotLogged() {
        Team team = team();
        String id = team.groupId();
        Api.Session owner = team.owner();
        String bob = team.bob().userId();
        for (boolean admin : List.of(true, false)) {
            assertProblem(api.setAdmin(team.admin(), id, bob, admin), 403, "forbidden", "only the owner");
            assertProblem(api.setAdmin(team.bob(), id, team.carol().userId(), admin), 403, "forbidden", "owner");
            assertProblem(api.setAdmin(team.outsider(), id, bob, admin), 403, "not_member", id);
            assertProblem(api.setAdmin(owner, id, team.outsider().userId(), admin), 404, "not_found", "not a member");
            assertProblem(api.setAdmin(owner, id, "nobody-" + bob, admin), 404, "not_found", "userId");
            assertProblem(api.setAdmin(owner, id, "Not-An-Id", admin), 404, "not_found", "userId");
            assertProblem(api.setAdmin(owner, id, owner.userId(), admin), 409, "conflict", "owner");
            assertProblem(api.setAdmin(owner, "nogroup-" + id, bob, admin), 404, "not_found", "group");
            // the order: the caller's membership before a conflict, the role before the user named
            assertProblem(api.setAdmin(team.outsider(), id, owner.userId(), admin), 403, "not_member", id);
            assertProblem(api.setAdmin(team.admin(), id, "nobody-" + bob, admin), 403, "forbidden", "owner");
        }
        assertOnlyCreated(team);
    }

    @Test
    void ownershipIsTransferredOnceDecidedAndTheOldOwnerStaysAnAdmin() {
        Team team = team();
        String id = team.groupId();
        String owner = team.owner().userId();
        String bob = team.bob().userId();

        Decisions.Decided transferred = Decisions.applied(
                () -> api.transfer(team.owner(), id, bob),
                team.key(),
                "owner.changed",
                () -> TestRows.transfer(id, owner, bob));
        assertThat(transferred.answer().status())
                .as(transferred.answer().body().toString())
                .isEqualTo(200);
        JsonNode group = transferred.answer().body();
        assertThat(group.path("owner").asString()).isEqualTo(bob);
        assertThat(userIds(group.path("admins")))
                .as("the old owner stays as an admin; the owner is never listed")
                .containsExactlyElementsOf(sorted(owner, team.admin().userId()));
        assertThat(group.path("version").asLong()).isEqualTo(TestRows.groupVersion(id));
        JsonNode record = transferred.record().value();
        assertThat(record.path("groupId").asString()).isEqualTo(id);
        assertThat(record.path("userId").asString()).isEqualTo(bob);
        assertThat(record.path("by").asString()).isEqualTo(owner);
        assertThat(record.path("at").asString()).isNotBlank();

        // the old owner is an admin now, and only the new owner transfers
        assertProblem(api.transfer(team.owner(), id, owner), 403, "forbidden", "only the owner");
        assertProblem(api.dissolve(team.owner(), id), 403, "forbidden", "only the owner");
    }

    @Test
    void transfersOutsideTheRulesAreRefusedAndNotLogged() {
        Team team = team();
        String id = team.groupId();
        Api.Session owner = team.owner();
        String bob = team.bob().userId();
        String url = api.gateway + "/v1/groups/" + id + "/owner";

        assertProblem(api.transfer(team.admin(), id, bob), 403, "forbidden", "only the owner");
        assertProblem(api.transfer(team.bob(), id, team.carol().userId()), 403, "forbidden", "only the owner");
        assertProblem(api.transfer(team.outsider(), id, bob), 403, "not_member", id);
        assertProblem(api.transfer(owner, id, team.outsider().userId()), 404, "not_found", "not a member");
        assertProblem(api.transfer(owner, id, "nobody-" + bob), 404, "not_found", "userId");
        assertProblem(api.transfer(owner, id, owner.userId()), 409, "conflict", "userId");
        assertProblem(api.transfer(owner, "nogroup-" + id, bob), 404, "not_found", "group");
        assertProblem(api.transfer(owner, id, "Not Valid"), 400, "invalid_request", "userId");
        assertProblem(api.post(url, owner.token(), "{}"), 400, "invalid_request", "userId");
        assertProblem(api.post(url, owner.token(), "{\"userId\":42}"), 400, "invalid_request", "userId");
        assertProblem(api.call("POST", url, owner.token(), null, null), 400, "invalid_request", "");
        TestRows.leave(id, team.carol().userId());
        assertProblem(api.transfer(owner, id, team.carol().userId()), 404, "not_found", "not a member");
        assertOnlyCreated(team);
    }

    @Test
    void membersAreMutedAndUnmutedOnceDecidedInTheGroupsLog() {
        Team team = team();
        String id = team.groupId();
        String bob = team.bob().userId();
        Instant until = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);

        Decisions.Decided muted = Decisions.applied(
                () -> api.muteMember(team.owner(), id, bob, until.toString()),
                team.key(),
                "member.muted",
                () -> TestRows.mute(id, bob, until.toEpochMilli()));
        assertThat(muted.answer().status()).as(muted.answer().body().toString()).isEqualTo(204);
        assertMemberMuted(muted.record(), team, bob, true, team.owner());
        assertThat(Instant.parse(muted.record().value().path("until").asString()))
                .isEqualTo(until);
        assertThat(api.group(team.owner(), id).body().path("version").asLong())
                .as("a member's mute is no change of the group object")
                .isEqualTo(2);

        Decisions.Decided byAdmin = Decisions.applied(
                () -> api.muteMember(team.admin(), id, team.carol().userId(), null),
                team.key(),
                "member.muted",
                () -> TestRows.mute(id, team.carol().userId(), GroupRepository.UNTIL_UNMUTED));
        assertThat(byAdmin.answer().status()).isEqualTo(204);
        assertMemberMuted(byAdmin.record(), team, team.carol().userId(), true, team.admin());
        assertThat(byAdmin.record().value().path("until").isNull())
                .as("no until: until unmuted")
                .isTrue();

        Decisions.Decided adminMuted = Decisions.applied(
                () -> api.muteMember(team.owner(), id, team.admin().userId(), null),
                team.key(),
                "member.muted",
                () -> TestRows.mute(id, team.admin().userId(), GroupRepository.UNTIL_UNMUTED));
        assertThat(adminMuted.answer().status()).as("the owner mutes an admin").isEqualTo(204);

        Decisions.Decided unmuted = Decisions.applied(
                () -> api.unmuteMember(team.admin(), id, bob),
                team.key(),
                "member.muted",
                () -> TestRows.unmute(id, bob));
        assertThat(unmuted.answer().status()).isEqualTo(204);
        assertMemberMuted(unmuted.record(), team, bob, false, team.admin());
        assertThat(unmuted.record().value().path("until").isNull()).isTrue();

        // an empty object is no until either
        Api.Response empty = pending.call(
                "PUT",
                pending.gateway + "/v1/groups/" + id + "/mutes/" + bob,
                team.owner().token(),
                "{}",
                "application/json");
        assertPending(empty);
        assertThat(recordOf(empty).value().path("until").isNull()).isTrue();
    }

    @Test
    void mutesOutsideTheRulesAreRefusedAndNotLogged() {
        Team team = team();
        String id = team.groupId();
        Api.Session owner = team.owner();
        Api.Session second = api.newUser("second");
        TestRows.join(id, second.userId());
        TestRows.admin(id, second.userId());
        String bob = team.bob().userId();
        String url = api.gateway + "/v1/groups/" + id + "/mutes/" + bob;

        assertProblem(
                api.muteMember(owner, id, bob, Instant.now().minusSeconds(1).toString()),
                400,
                "invalid_request",
                "until");
        assertProblem(api.muteMember(owner, id, bob, "tomorrow"), 400, "invalid_request", "until");
        // no coercion: epoch seconds are no ISO time, as a number or as a string of digits
        assertProblem(api.muteMember(owner, id, bob, "4102444800"), 400, "invalid_request", "until");
        assertProblem(api.muteMember(owner, id, bob, "+1000000000-01-01T00:00:00Z"), 400, "invalid_request", "until");
        assertProblem(
                api.call("PUT", url, owner.token(), "{\"until\":4102444800}", "application/json"),
                400,
                "invalid_request",
                "until");
        assertProblem(
                api.call("PUT", url, owner.token(), "{\"until\":true}", "application/json"),
                400,
                "invalid_request",
                "until");
        for (boolean mute : List.of(true, false)) {
            assertProblem(mute(team.bob(), id, team.carol().userId(), mute), 403, "forbidden", "owner or an admin");
            assertProblem(mute(team.admin(), id, second.userId(), mute), 403, "forbidden", "only the owner");
            assertProblem(mute(team.admin(), id, team.admin().userId(), mute), 403, "forbidden", "only the owner");
            assertProblem(mute(team.outsider(), id, bob, mute), 403, "not_member", id);
            assertProblem(mute(owner, id, team.outsider().userId(), mute), 404, "not_found", "not a member");
            assertProblem(mute(owner, id, "nobody-" + bob, mute), 404, "not_found", "userId");
            assertProblem(mute(owner, id, owner.userId(), mute), 409, "conflict", "owner");
            assertProblem(mute(team.admin(), id, owner.userId(), mute), 409, "conflict", "owner");
            assertProblem(mute(owner, "nogroup-" + id, bob, mute), 404, "not_found", "group");
        }
        assertOnlyCreated(team);
    }

    @Test
    void onlyTheOwnerDissolvesAndThenEveryCallOnTheGroupIsNotFound() {
        Team team = team();
        String id = team.groupId();
        Api.Session owner = team.owner();
        assertProblem(api.dissolve(team.admin(), id), 403, "forbidden", "only the owner");
        assertProblem(api.dissolve(team.bob(), id), 403, "forbidden", "only the owner");
        assertProblem(api.dissolve(team.outsider(), id), 403, "not_member", id);
        assertProblem(api.dissolve(owner, "nogroup-" + id), 404, "not_found", "group");
        assertOnlyCreated(team);

        Decisions.Decided dissolved = Decisions.applied(
                () -> api.dissolve(owner, id), team.key(), "group.dissolved", () -> TestRows.dissolve(id));
        assertThat(dissolved.answer().status())
                .as(dissolved.answer().body().toString())
                .isEqualTo(204);
        JsonNode record = dissolved.record().value();
        assertThat(record.path("groupId").asString()).isEqualTo(id);
        assertThat(record.path("by").asString()).isEqualTo(owner.userId());
        assertThat(record.path("at").asString()).isNotBlank();
        assertThat(dissolved.eventId()).isNotBlank();

        String bob = team.bob().userId();
        for (Api.Session caller : List.of(owner, team.admin(), team.bob(), team.outsider())) {
            assertProblem(api.group(caller, id), 404, "not_found", id);
            assertProblem(api.updateGroup(caller, id, Api.json("name", "Again")), 404, "not_found", id);
            assertProblem(api.setAdmin(caller, id, bob, true), 404, "not_found", id);
            assertProblem(api.setAdmin(caller, id, team.admin().userId(), false), 404, "not_found", id);
            assertProblem(api.transfer(caller, id, bob), 404, "not_found", id);
            assertProblem(api.muteMember(caller, id, bob, null), 404, "not_found", id);
            assertProblem(api.unmuteMember(caller, id, bob), 404, "not_found", id);
            assertProblem(api.dissolve(caller, id), 404, "not_found", id);
            assertProblem(api.addMembers(caller, id, List.of(team.outsider().userId())), 404, "not_found", id);
            assertProblem(api.removeMember(caller, id, bob), 404, "not_found", id);
            assertThat(api.groups(caller)
                            .body()
                            .path("groups")
                            .valueStream()
                            .map(g -> g.path("groupId").asString()))
                    .doesNotContain(id);
        }
        assertThat(log.conversation(team.key()))
                .extracting(ConversationLog.Entry::type)
                .as("nothing after the dissolving was logged")
                .containsExactly("group.created", "group.dissolved");
    }

    // ---------------------------------------------------------------- helpers

    private Team team() {
        Api.Session owner = api.newUser("owner");
        Api.Session admin = api.newUser("admin");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        Api.Response created =
                api.createGroup(owner, groupId, "Team", List.of(admin.userId(), bob.userId(), carol.userId()));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        TestRows.admin(groupId, admin.userId());
        // the group.created record is in the log before any change of the test
        log.await(entry -> entry.key().equals("g:" + groupId));
        return new Team(groupId, owner, admin, bob, carol, outsider);
    }

    private Api.Response mute(Api.Session caller, String groupId, String userId, boolean mute) {
        return mute ? api.muteMember(caller, groupId, userId, null) : api.unmuteMember(caller, groupId, userId);
    }

    /** Nothing but the group's creation is in its log: every call so far was refused before it wrote a record. */
    private void assertOnlyCreated(Team team) {
        assertThat(log.conversation(team.key()))
                .extracting(ConversationLog.Entry::type)
                .as("the refused calls wrote nothing")
                .containsExactly("group.created");
    }

    private static void assertPending(Api.Response answer) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        assertThat(answer.body().path("status").asString()).isEqualTo("pending");
        assertThat(answer.body().path("eventId").asString()).isNotBlank();
    }

    /** The record of a change answered pending, by its event id. */
    private ConversationLog.Entry recordOf(Api.Response pendingAnswer) {
        String eventId = pendingAnswer.body().path("eventId").asString();
        return log.await(entry -> entry.value().path("eventId").asString().equals(eventId));
    }

    private static void assertAdminChanged(ConversationLog.Entry entry, Team team, String userId, boolean admin) {
        assertThat(entry.key()).isEqualTo(team.key());
        JsonNode record = entry.value();
        assertThat(record.path("groupId").asString()).isEqualTo(team.groupId());
        assertThat(record.path("userId").asString()).isEqualTo(userId);
        assertThat(record.path("admin").isBoolean()).isTrue();
        assertThat(record.path("admin").asBoolean()).isEqualTo(admin);
        assertThat(record.path("by").asString()).isEqualTo(team.owner().userId());
        assertThat(record.path("eventId").asString()).isNotBlank();
        assertThat(record.path("at").asString()).isNotBlank();
    }

    private static void assertMemberMuted(
            ConversationLog.Entry entry, Team team, String userId, boolean muted, Api.Session by) {
        assertThat(entry.key()).isEqualTo(team.key());
        JsonNode record = entry.value();
        assertThat(record.path("groupId").asString()).isEqualTo(team.groupId());
        assertThat(record.path("userId").asString()).isEqualTo(userId);
        assertThat(record.path("muted").isBoolean()).isTrue();
        assertThat(record.path("muted").asBoolean()).isEqualTo(muted);
        assertThat(record.path("by").asString()).isEqualTo(by.userId());
        assertThat(record.path("eventId").asString()).isNotBlank();
        assertThat(record.path("at").asString()).isNotBlank();
    }

    private static List<String> sorted(String... userIds) {
        return List.of(userIds).stream().sorted().toList();
    }

    private static List<String> userIds(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
