package dev.courier.gateway.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.common.MessageId;
import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.TestGateway;
import dev.courier.gateway.TestRows;
import dev.courier.store.GroupRepository;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sends over REST ({@code POST /v1/messages}): a send is accepted once it is in the log ({@code courier.conversations},
 * keyed by its conversation, read here by a real consumer); every field is validated first; a retry gets the same
 * message id, and once the message is stored, its original acceptance time without a new record. Blocks, mutes and
 * dissolving, as the expansion stage stores them, refuse sends early.
 */
class SendsIntegrationTests {

    private final Api api = TestGateway.api();

    private final ConversationLog log = TestGateway.conversations();

    @Test
    void directSendIsAcceptedOnceItIsInTheLogKeyedByItsConversation() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Response accepted = api.send(alice, "c-1", "u:" + bob.userId(), "hi bob");
        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        String messageId = accepted.body().path("messageId").asString();
        assertThat(messageId).isEqualTo(MessageId.forSend(alice.userId(), "c-1"));
        assertThat(accepted.body().path("clientMsgId").asString()).isEqualTo("c-1");
        Instant acceptedAt = Instant.parse(accepted.body().path("acceptedAt").asString());
        assertThat(acceptedAt.getNano() % 1_000_000)
                .as("millisecond precision, as stored")
                .isZero();

        ConversationLog.Entry record = log.message(messageId);
        String conversation = direct(alice, bob);
        assertThat(record.key()).isEqualTo(conversation);
        JsonNode message = record.value();
        assertThat(message.path("v").asInt()).isEqualTo(1);
        assertThat(message.path("clientMsgId").asString()).isEqualTo("c-1");
        assertThat(message.path("conversation").asString()).isEqualTo(conversation);
        assertThat(message.path("from").asString()).isEqualTo(alice.userId());
        assertThat(message.path("kind").asString()).isEqualTo("text");
        assertThat(message.path("content").asString()).isEqualTo("hi bob");
        assertThat(Instant.parse(message.path("sentAt").asString())).isEqualTo(acceptedAt);
        assertThat(message.path("origin").isNull()).isTrue();

        // the other way round: the same conversation
        String reply = api.sendOk(bob, "u:" + alice.userId(), "hi alice");
        assertThat(log.message(reply).key()).isEqualTo(conversation);
    }

    @Test
    void groupSendIsKeyedByTheGroupAndOnlyMembersMaySend() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);

        String sent = api.sendOk(bob, "g:" + groupId, "to the team");
        ConversationLog.Entry record = log.message(sent);
        assertThat(record.key()).isEqualTo("g:" + groupId);
        assertThat(record.value().path("conversation").asString()).isEqualTo("g:" + groupId);
        assertProblem(api.send(outsider, "c1", "g:" + groupId, "let me in"), 403, "not_member", groupId);
        assertProblem(api.send(owner, "c1", "g:nogroup-" + owner.userId(), "x"), 404, "not_found", "to");
        assertThat(log.conversation("g:" + groupId))
                .filteredOn(entry -> entry.type().equals("message"))
                .extracting(ConversationLog.Entry::value)
                .extracting(value -> value.path("messageId").asString())
                .containsExactly(sent);
    }

    @Test
    void directSendToAUserWhoBlockedTheSenderIsRefusedAndTheBlockerMayStillWrite() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        TestRows.block(bob.userId(), alice.userId());

        assertProblem(api.send(alice, "c1", "u:" + bob.userId(), "hi"), 403, "blocked", bob.userId());
        String fromBob = api.sendOk(bob, "u:" + alice.userId(), "blocking is one way");
        log.message(fromBob);
        assertThat(log.conversation(direct(alice, bob)))
                .extracting(entry -> entry.value().path("messageId").asString())
                .as("the refused send wrote nothing")
                .containsExactly(fromBob);

        // blocking changes nothing in groups
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(bob, groupId, "G", List.of(alice.userId())).status())
                .isEqualTo(201);
        log.message(api.sendOk(alice, "g:" + groupId, "in the group"));
    }

    @Test
    void groupSendsAreRefusedInADissolvedGroupAndFromAMutedMemberOrAMemberOfAMutedGroup() {
        Api.Session owner = api.newUser("owner");
        Api.Session admin = api.newUser("admin");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        Api.Session dave = api.newUser("dave");
        String groupId = Api.uniqueId("g");
        String to = "g:" + groupId;
        assertThat(api.createGroup(
                                owner,
                                groupId,
                                "G",
                                List.of(admin.userId(), bob.userId(), carol.userId(), dave.userId()))
                        .status())
                .isEqualTo(201);
        TestRows.admin(groupId, admin.userId());
        TestRows.mute(groupId, bob.userId(), GroupRepository.UNTIL_UNMUTED);
        TestRows.mute(groupId, carol.userId(), Instant.now().plusSeconds(3600).toEpochMilli());
        TestRows.mute(groupId, dave.userId(), Instant.now().minusSeconds(1).toEpochMilli());

        assertProblem(api.send(bob, "c1", to, "x"), 403, "forbidden", "until unmuted");
        assertProblem(api.send(carol, "c1", to, "x"), 403, "forbidden", "muted in " + to + " until ");
        List<String> accepted = new ArrayList<>();
        accepted.add(api.sendOk(dave, to, "my mute ended"));

        TestRows.muteGroup(groupId);
        assertProblem(api.send(dave, "c2", to, "x"), 403, "forbidden", "only the owner and admins");
        accepted.add(api.sendOk(admin, to, "admins may send"));
        accepted.add(api.sendOk(owner, to, "the owner may send"));

        TestRows.dissolve(groupId);
        for (Api.Session sender : List.of(owner, admin, bob, dave)) {
            assertProblem(api.send(sender, "c3", to, "x"), 404, "not_found", "to");
        }
        log.message(accepted.getLast());
        assertThat(log.conversation(to))
                .filteredOn(entry -> entry.type().equals("message"))
                .extracting(entry -> entry.value().path("messageId").asString())
                .as("only the accepted sends were logged")
                .containsExactlyElementsOf(accepted);
    }

    @Test
    void invalidSendsNameTheFieldAndAreNotLogged() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String to = "u:" + bob.userId();
        String before = api.sendOk(alice, to, "accepted before the bad ones");
        String url = api.gateway + "/v1/messages";

        assertProblem(
                api.post(url, alice.token(), "{\"clientMsgId\": \"c1\", \"to\": "),
                400,
                "invalid_request",
                "malformed JSON");
        assertProblem(api.post(url, alice.token(), ""), 400, "invalid_request", "body");
        assertProblem(api.post(url, alice.token(), "[1, 2]"), 400, "invalid_request", "");
        assertProblem(
                api.post(url, alice.token(), Api.json("to", to, "kind", "text", "content", "x")),
                400,
                "invalid_request",
                "clientMsgId");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "kind", "text", "content", "x")),
                400,
                "invalid_request",
                "to");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "to", to, "content", "x")),
                400,
                "invalid_request",
                "kind");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "to", to, "kind", "text")),
                400,
                "invalid_request",
                "content");
        assertProblem(api.send(alice, "has space", to, "x"), 400, "invalid_request", "clientMsgId");
        assertProblem(api.send(alice, "x".repeat(65), to, "x"), 400, "invalid_request", "clientMsgId");
        assertProblem(api.send(alice, "c1", "bob", "x"), 400, "invalid_request", "to");
        assertProblem(api.send(alice, "c1", "u:Bob", "x"), 400, "invalid_request", "to");
        assertProblem(api.send(alice, "c1", "u:" + alice.userId(), "x"), 400, "invalid_request", "to");
        assertProblem(api.send(alice, "c1", "u:nobody-" + alice.userId(), "x"), 404, "not_found", "to");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "to", to, "kind", "gif", "content", "x")),
                400,
                "invalid_request",
                "kind");
        assertProblem(
                api.post(
                        url,
                        alice.token(),
                        Api.json("clientMsgId", "c1", "to", to, "kind", "image", "content", "not a reference")),
                400,
                "invalid_request",
                "content");
        assertProblem(
                api.post(
                        url,
                        alice.token(),
                        "{\"clientMsgId\": {\"a\": 1}, \"to\": \"" + to
                                + "\", \"kind\": \"text\", \"content\": \"x\"}"),
                400,
                "invalid_request",
                "clientMsgId");
        assertProblem(
                api.call("POST", url, alice.token(), "clientMsgId=c1", "application/x-www-form-urlencoded"),
                415,
                "invalid_request",
                "application/json");
        assertProblem(api.send(alice, "c-big", to, "x".repeat(16 * 1024 + 1)), 413, "payload_too_large", "content");
        // exactly the limit is fine, in bytes of UTF-8
        String atTheLimit = api.sendOk(alice, to, "é".repeat(8 * 1024));

        log.message(atTheLimit);
        assertThat(log.conversation(direct(alice, bob)))
                .extracting(entry -> entry.value().path("messageId").asString())
                .as("the refused sends wrote nothing")
                .containsExactly(before, atTheLimit);
    }

    @Test
    void mediaReferenceIsLoggedAsSent() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Response sent =
                api.send(alice, "img-1", "u:" + bob.userId(), "image", Api.media("https://cdn/x.png", "image/png", 42));
        assertThat(sent.status()).as(sent.body().toString()).isEqualTo(202);
        JsonNode message = log.message(sent.body().path("messageId").asString()).value();
        assertThat(message.path("kind").asString()).isEqualTo("image");
        assertThat(message.path("content").path("url").asString()).isEqualTo("https://cdn/x.png");
        assertThat(message.path("content").path("mime").asString()).isEqualTo("image/png");
        assertThat(message.path("content").path("size").asLong()).isEqualTo(42);
    }

    @Test
    void retryGetsTheSameMessageIdAndOnceStoredItsOriginalAcceptanceWithoutANewRecord() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Response first = api.send(alice, "retry-1", "u:" + bob.userId(), "once");
        Api.Response retry = api.send(alice, "retry-1", "u:" + bob.userId(), "once");
        assertThat(first.status()).isEqualTo(202);
        assertThat(retry.status()).isEqualTo(202);
        String messageId = first.body().path("messageId").asString();
        assertThat(retry.body().path("messageId").asString()).isEqualTo(messageId);
        // not stored yet: both are in the log, the fanout-worker delivers the message once
        await().until(() -> log.conversation(direct(alice, bob)).size() == 2);

        String acceptedAt = first.body().path("acceptedAt").asString();
        storeMessage(messageId, direct(alice, bob), alice.userId(), "retry-1", Instant.parse(acceptedAt));
        Api.Response late = api.send(alice, "retry-1", "u:" + bob.userId(), "changed, and ignored");
        assertThat(late.status()).isEqualTo(202);
        assertThat(late.body().path("messageId").asString()).isEqualTo(messageId);
        assertThat(Instant.parse(late.body().path("acceptedAt").asString()))
                .as("the stored acceptance time")
                .isEqualTo(Instant.parse(acceptedAt));

        String marker = api.sendOk(alice, "u:" + bob.userId(), "marker");
        log.message(marker);
        assertThat(log.conversation(direct(alice, bob)))
                .extracting(entry -> entry.value().path("messageId").asString())
                .as("the retry of a stored message wrote nothing")
                .containsExactly(messageId, messageId, marker);
    }

    /** Puts the message in the store, as the fanout-worker's expansion stage does. */
    static void storeMessage(String messageId, String conversation, String sender, String clientMsgId, Instant sentAt) {
        TestGateway.database()
                .sql("""
                        INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content,
                                              sent_at, members_version, origin, stored_at)
                        VALUES (?, ?, ?, ?, 'text', '"stored"', ?, 0, NULL, ?)
                        """)
                .params(messageId, conversation, sender, clientMsgId, sentAt.toEpochMilli(), sentAt.toEpochMilli())
                .update();
    }

    static String direct(Api.Session a, Api.Session b) {
        return "d:"
                + (a.userId().compareTo(b.userId()) < 0
                        ? a.userId() + ":" + b.userId()
                        : b.userId() + ":" + a.userId());
    }
}
