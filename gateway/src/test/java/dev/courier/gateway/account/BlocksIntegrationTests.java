package dev.courier.gateway.account;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.Decisions;
import dev.courier.gateway.TestGateway;
import dev.courier.gateway.TestRows;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocking ({@code PUT} and {@code DELETE /v1/blocks/{userId}}, {@code GET /v1/blocks}): a block or unblock is a
 * {@code block.changed} record in the log of the two users' direct conversation, answered once the expansion stage
 * decided it there (played by hand here, {@link Decisions}); the list is the caller's blocks as stored, in id order.
 */
class BlocksIntegrationTests {

    private final Api api = TestGateway.api();

    private final ConversationLog log = TestGateway.conversations();

    @Test
    void blockAndUnblockAnswerOnceDecidedInTheDirectConversationsLog() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);

        Decisions.Decided blocked = Decisions.applied(
                () -> api.block(alice, bob.userId(), true),
                conversation,
                "block.changed",
                () -> TestRows.block(alice.userId(), bob.userId()));
        assertThat(blocked.answer().status())
                .as(blocked.answer().body().toString())
                .isEqualTo(204);
        assertBlockChanged(blocked.record(), conversation, alice, bob, true);
        assertThat(userIds(api.blocks(alice).body().path("userIds"))).containsExactly(bob.userId());
        assertThat(api.blocks(bob).body().path("userIds").isEmpty())
                .as("blocking is one way")
                .isTrue();

        // blocking again changes nothing, and is answered like any other
        Decisions.Decided again =
                Decisions.applied(() -> api.block(alice, bob.userId(), true), conversation, "block.changed", () -> {});
        assertThat(again.answer().status()).isEqualTo(204);

        Decisions.Decided unblocked = Decisions.applied(
                () -> api.block(alice, bob.userId(), false),
                conversation,
                "block.changed",
                () -> TestRows.unblock(alice.userId(), bob.userId()));
        assertThat(unblocked.answer().status()).isEqualTo(204);
        assertBlockChanged(unblocked.record(), conversation, alice, bob, false);
        assertThat(api.blocks(alice).body().path("userIds").isEmpty()).isTrue();

        // unblocking a user not blocked changes nothing
        Decisions.Decided notBlocked =
                Decisions.applied(() -> api.block(bob, alice.userId(), false), conversation, "block.changed", () -> {});
        assertThat(notBlocked.answer().status()).isEqualTo(204);
        assertBlockChanged(notBlocked.record(), conversation, bob, alice, false);
    }

    @Test
    void blocksAreListedInIdOrder() {
        Api.Session alice = api.newUser("alice");
        String prefix = Api.uniqueId("u");
        List<String> blocked = List.of(prefix + "-c", prefix + "-a", prefix + "-b");
        for (String userId : blocked) {
            TestRows.block(alice.userId(), userId);
        }
        TestRows.block(prefix + "-a", alice.userId());

        Api.Response list = api.blocks(alice);
        assertThat(list.status()).as(list.body().toString()).isEqualTo(200);
        assertThat(userIds(list.body().path("userIds")))
                .as("the users alice blocked, not those who blocked her")
                .containsExactly(prefix + "-a", prefix + "-b", prefix + "-c");
        Api.Response none = api.blocks(api.newUser("nobody"));
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body().path("userIds").isArray()).isTrue();
        assertThat(none.body().path("userIds").isEmpty()).isTrue();
    }

    @Test
    void blockingYourselfAnUnknownUserOrAnInvalidIdIsRefusedAndNotLogged() {
        Api.Session alice = api.newUser("alice");
        for (boolean block : List.of(true, false)) {
            assertProblem(api.block(alice, alice.userId(), block), 400, "invalid_request", "yourself");
            assertProblem(api.block(alice, "nobody-" + alice.userId(), block), 404, "not_found", "userId");
            assertProblem(api.block(alice, "Not-An-Id", block), 404, "not_found", "userId");
        }
        assertThat(log.all(entry -> entry.type().equals("block.changed")
                        && entry.value().path("by").asString().equals(alice.userId())))
                .as("the refused calls wrote nothing")
                .isEmpty();
    }

    private static void assertBlockChanged(
            ConversationLog.Entry entry, String conversation, Api.Session by, Api.Session userId, boolean blocked) {
        assertThat(entry.key()).isEqualTo(conversation);
        JsonNode record = entry.value();
        assertThat(record.path("conversation").asString()).isEqualTo(conversation);
        assertThat(record.path("by").asString()).isEqualTo(by.userId());
        assertThat(record.path("userId").asString()).isEqualTo(userId.userId());
        assertThat(record.path("blocked").isBoolean()).isTrue();
        assertThat(record.path("blocked").asBoolean()).isEqualTo(blocked);
        assertThat(record.path("eventId").asString()).isNotBlank();
        assertThat(record.path("at").asString()).isNotBlank();
    }

    private static String direct(Api.Session a, Api.Session b) {
        return "d:"
                + (a.userId().compareTo(b.userId()) < 0
                        ? a.userId() + ":" + b.userId()
                        : b.userId() + ":" + a.userId());
    }

    private static List<String> userIds(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
