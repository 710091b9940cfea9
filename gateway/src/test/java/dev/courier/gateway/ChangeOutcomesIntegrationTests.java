package dev.courier.gateway;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ChangeOutcomes}: a group or block call answers once its change was decided at its point in the log (a row of
 * {@code change_outcomes} for the record's event id, written here by hand as the expansion stage would): applied, with
 * the group as it is then or {@code 204}; refused, with the refusal's code and detail; or, when nothing decided it
 * within the change timeout (100 ms on {@link TestGateway#limited()}), {@code 202 {eventId, status: "pending"}}, the
 * change being in the log all the same.
 */
class ChangeOutcomesIntegrationTests {

    private final Api api = TestGateway.api();

    private final Api shortTimeout = TestGateway.limitedApi();

    private final ConversationLog log = TestGateway.conversations();

    @Test
    void changeUndecidedWithinTheTimeoutIsAnswered202PendingWithTheEventIdOfItsRecord() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = group(owner, bob, carol);
        String key = "g:" + groupId;
        record Call(String type, String key, Supplier<Api.Response> call) {}
        List<Call> calls = List.of(
                new Call("group.updated", key, () -> shortTimeout.updateGroup(owner, groupId, Api.json("name", "N"))),
                new Call("admin.changed", key, () -> shortTimeout.setAdmin(owner, groupId, bob.userId(), true)),
                new Call("admin.changed", key, () -> shortTimeout.setAdmin(owner, groupId, bob.userId(), false)),
                new Call("owner.changed", key, () -> shortTimeout.transfer(owner, groupId, bob.userId())),
                new Call("member.muted", key, () -> shortTimeout.muteMember(owner, groupId, carol.userId(), null)),
                new Call("member.muted", key, () -> shortTimeout.unmuteMember(owner, groupId, carol.userId())),
                new Call("group.dissolved", key, () -> shortTimeout.dissolve(owner, groupId)),
                new Call("block.changed", direct(owner, bob), () -> shortTimeout.block(owner, bob.userId(), true)),
                new Call("block.changed", direct(owner, bob), () -> shortTimeout.block(owner, bob.userId(), false)));
        for (Call call : calls) {
            Api.Response answer = call.call().get();
            assertThat(answer.status()).as(call.type() + " " + answer.body()).isEqualTo(202);
            assertThat(answer.body().propertyNames()).as(call.type()).containsExactlyInAnyOrder("eventId", "status");
            assertThat(answer.body().path("status").asString()).isEqualTo("pending");
            String eventId = answer.body().path("eventId").asString();
            ConversationLog.Entry record =
                    log.await(entry -> entry.value().path("eventId").asString().equals(eventId));
            assertThat(record.type()).isEqualTo(call.type());
            assertThat(record.key()).as("the change is in the log all the same").isEqualTo(call.key());
        }
    }

    @Test
    void changeAppliedInTheLogIsAnsweredWithWhatItMade() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        String groupId = group(owner, bob);

        Decisions.Decided renamed = Decisions.applied(
                () -> api.updateGroup(owner, groupId, Api.json("name", "Decided")),
                "g:" + groupId,
                "group.updated",
                () -> TestRows.rename(groupId, "Decided"));
        assertThat(renamed.answer().status()).isEqualTo(200);
        assertThat(renamed.answer().body().path("name").asString()).isEqualTo("Decided");
        assertThat(renamed.answer().body().path("version").asLong()).isEqualTo(2);

        Decisions.Decided muted = Decisions.applied(
                () -> api.muteMember(owner, groupId, bob.userId(), null),
                "g:" + groupId,
                "member.muted",
                () -> TestRows.mute(groupId, bob.userId(), Long.MAX_VALUE));
        assertThat(muted.answer().status()).isEqualTo(204);
        assertThat(muted.answer().raw().body()).isEmpty();
        assertProblem(api.send(bob, "c1", "g:" + groupId, "x"), 403, "forbidden", "muted");
    }

    @Test
    void changeRefusedInTheLogIsAnsweredWithTheRefusalsCodeAndDetail() {
        Api.Session owner = api.newUser("owner");
        Api.Session admin = api.newUser("admin");
        Api.Session bob = api.newUser("bob");
        String groupId = group(owner, admin, bob);
        TestRows.admin(groupId, admin.userId());
        String key = "g:" + groupId;

        // the admin was removed before the change in the log
        String forbidden = "only the owner or an admin of g:" + groupId + " may change it";
        Decisions.Decided renamed = Decisions.refused(
                () -> api.updateGroup(admin, groupId, Api.json("name", "Late")),
                key,
                "group.updated",
                "forbidden",
                forbidden);
        assertProblem(renamed.answer(), 403, "forbidden", forbidden);
        assertThat(renamed.answer().body().path("detail").asString()).isEqualTo(forbidden);

        Decisions.Decided named = Decisions.refused(
                () -> api.setAdmin(owner, groupId, bob.userId(), true),
                key,
                "admin.changed",
                "not_found",
                "userId: '" + bob.userId() + "' is not a member of g:" + groupId);
        assertProblem(named.answer(), 404, "not_found", bob.userId() + "' is not a member");

        Decisions.Decided transferred = Decisions.refused(
                () -> api.transfer(owner, groupId, bob.userId()),
                key,
                "owner.changed",
                "not_member",
                "you are not a member of g:" + groupId);
        assertProblem(transferred.answer(), 403, "not_member", "you are not a member");

        Decisions.Decided dissolved = Decisions.refused(
                () -> api.dissolve(owner, groupId),
                key,
                "group.dissolved",
                "not_found",
                "g:" + groupId + " is dissolved");
        assertProblem(dissolved.answer(), 404, "not_found", "is dissolved");

        // bob became the owner earlier in the log
        Decisions.Decided mute = Decisions.refused(
                () -> api.muteMember(admin, groupId, bob.userId(), null),
                key,
                "member.muted",
                "conflict",
                "the owner of g:" + groupId + " cannot be muted");
        assertProblem(mute.answer(), 409, "conflict", "cannot be muted");

        Decisions.Decided block = Decisions.refused(
                () -> api.block(owner, bob.userId(), true),
                direct(owner, bob),
                "block.changed",
                "forbidden",
                "a bridge only joins its identities to groups");
        assertProblem(block.answer(), 403, "forbidden", "a bridge only joins");
    }

    private String group(Api.Session owner, Api.Session... members) {
        String groupId = Api.uniqueId("g");
        Api.Response created = api.createGroup(
                owner,
                groupId,
                "G",
                List.of(members).stream().map(Api.Session::userId).toList());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return groupId;
    }

    private static String direct(Api.Session a, Api.Session b) {
        return "d:"
                + (a.userId().compareTo(b.userId()) < 0
                        ? a.userId() + ":" + b.userId()
                        : b.userId() + ":" + a.userId());
    }
}
