package dev.courier.gateway.message;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.TestGateway;
import dev.courier.gateway.TestRows;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recall, edit and reactions of a stored group message ({@link TestRows#groupMessage}): accepted into the group's log
 * while the group is open, and {@code 404} once it is dissolved, when a delete for oneself still works.
 */
class MessageLifecycleIntegrationTests {

    private final Api api = TestGateway.api();

    private final ConversationLog log = TestGateway.conversations();

    @Test
    void recallEditAndReactionsInADissolvedGroupAreNotFoundAndADeleteForOneselfStillWorks() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        String open = TestRows.groupMessage(groupId, bob.userId(), "while it is open");
        String before = TestRows.groupMessage(groupId, bob.userId(), "before it was dissolved");

        // while the group is open each of them is taken
        assertThat(api.edit(bob, open, "edited").status()).isEqualTo(202);
        assertThat(api.react(owner, open, "👍", true).status()).isEqualTo(204);
        assertThat(api.recall(bob, open).status()).isEqualTo(202);
        log.await(entry -> entry.type().equals("message.recalled")
                && entry.value().path("messageId").asString().equals(open));

        TestRows.dissolve(groupId);
        assertProblem(api.recall(bob, before), 404, "not_found", "dissolved");
        assertProblem(api.edit(bob, before, "too late"), 404, "not_found", "dissolved");
        assertProblem(api.react(owner, before, "👍", true), 404, "not_found", "dissolved");
        assertProblem(api.react(owner, before, "👍", false), 404, "not_found", "dissolved");
        assertThat(api.deleteForMe(bob, before).status()).isEqualTo(204);
        ConversationLog.Entry deleted = log.await(entry -> entry.type().equals("message.deleted")
                && entry.value().path("messageId").asString().equals(before));
        assertThat(deleted.key()).isEqualTo("g:" + groupId);
        assertThat(deleted.value().path("by").asString()).isEqualTo(bob.userId());

        assertThat(log.conversation("g:" + groupId))
                .filteredOn(entry -> entry.value().path("messageId").asString().equals(before))
                .extracting(ConversationLog.Entry::type)
                .as("nothing refused was logged")
                .containsExactly("message.deleted");
    }
}
