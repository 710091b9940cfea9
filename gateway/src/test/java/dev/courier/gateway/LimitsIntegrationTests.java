package dev.courier.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.common.MessageId;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;

import static dev.courier.testinfra.client.Problems.assertErrorFrame;
import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Limits, on a gateway whose limits are small ({@link TestGateway#limited()}: 5 sends at once and 1/s, 3 failed logins
 * per user and 8 per address, groups of 3): sends beyond the rate are 429 with {@code Retry-After} (a retry of a stored
 * send is not), failed logins are limited, groups have a size; bodies over 128 KB are refused before they are parsed.
 */
class LimitsIntegrationTests {

    /** Creates users and logs them in: on the gateway without small limits, so as not to spend its login budget. */
    private final Api users = TestGateway.api();

    private final Api limited = TestGateway.limitedApi();

    @Test
    void sendsBeyondTheRateAre429WithRetryAfterForThatUserOnly() {
        Api.Session alice = users.newUser("alice");
        Api.Session bob = users.newUser("bob");
        List<Integer> statuses = new ArrayList<>();
        Api.Response refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            Api.Response response = limited.send(alice, "c" + i, "u:" + bob.userId(), "x");
            statuses.add(response.status());
            refused = response.status() == 429 ? response : null;
        }
        // a burst of 5, then refused (at most one token refilled meanwhile)
        assertThat(statuses.subList(0, 5)).containsOnly(202);
        assertThat(refused).as(statuses.toString()).isNotNull();
        assertThat(statuses.size()).isLessThanOrEqualTo(7);
        assertProblem(refused, 429, "rate_limited", "too many messages");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 2L);
        String refusedId = MessageId.forSend(alice.userId(), "c" + (statuses.size() - 1));
        assertThat(TestGateway.conversations()
                        .all(entry -> entry.value().path("messageId").asString().equals(refusedId)))
                .as("a refused send is not logged")
                .isEmpty();

        Api.Session carol = users.newUser("carol");
        assertThat(limited.send(carol, "c0", "u:" + bob.userId(), "x").status())
                .as("other users are not limited")
                .isEqualTo(202);
        // the bucket refills: after Retry-After the same user may send again
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> limited.send(alice, Api.uniqueId("later"), "u:" + bob.userId(), "x")
                                .status()
                        == 202);
    }

    @Test
    void socketSendBeyondTheRateIsAnErrorFrameWithRetryAfter() {
        Api.Session alice = users.newUser("alice");
        Api.Session bob = users.newUser("bob");
        String url = limited.gateway.replace("http://", "ws://") + "/v1/ws";
        try (Socket socket = Socket.connect(url, alice.token())) {
            JsonNode answer = null;
            for (int i = 0; i < 10; i++) {
                socket.send(Api.json(
                        "type",
                        "send",
                        "clientMsgId",
                        "ws-" + i,
                        "to",
                        "u:" + bob.userId(),
                        "kind",
                        "text",
                        "content",
                        "x"));
                answer = socket.next(Duration.ofSeconds(10));
                if (!answer.path("type").asString().equals("ack")) {
                    break;
                }
            }
            assertThat(answer).isNotNull();
            assertErrorFrame(answer, answer.path("clientMsgId").asString(), 429, "rate_limited", "too many");
            assertThat(answer.path("clientMsgId").asString()).startsWith("ws-");
            assertThat(answer.path("retryAfter").asLong()).isBetween(1L, 2L);
            socket.send("{\"type\":\"ping\"}");
            assertThat(socket.next(Duration.ofSeconds(10)).path("type").asString())
                    .isEqualTo("pong");
        }
    }

    @Test
    void retryOfAStoredSendIsAcceptedWithItsOriginalAcceptanceWhileTheUserIsLimited() {
        Api.Session alice = users.newUser("alice");
        Api.Session bob = users.newUser("bob");
        Api.Response accepted = limited.send(alice, "first", "u:" + bob.userId(), "x");
        assertThat(accepted.status()).isEqualTo(202);
        String messageId = accepted.body().path("messageId").asString();
        Instant acceptedAt = Instant.parse(accepted.body().path("acceptedAt").asString());
        // stored, as the fanout-worker stores it
        TestGateway.database()
                .sql("""
                        INSERT INTO messages (message_id, conversation_id, sender_id, client_msg_id, kind, content,
                                              sent_at, members_version, origin, stored_at)
                        VALUES (?, ?, ?, 'first', 'text', '"x"', ?, 0, NULL, ?)
                        """)
                .params(
                        messageId,
                        "d:"
                                + (alice.userId().compareTo(bob.userId()) < 0
                                        ? alice.userId() + ":" + bob.userId()
                                        : bob.userId() + ":" + alice.userId()),
                        alice.userId(),
                        acceptedAt.toEpochMilli(),
                        acceptedAt.toEpochMilli())
                .update();
        Api.Response refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            Api.Response response = limited.send(alice, "burst-" + i, "u:" + bob.userId(), "x");
            refused = response.status() == 429 ? response : null;
        }
        assertThat(refused).as("the burst reaches the limit").isNotNull();

        // the client retries its first send (say its answer was lost): the retry takes no token and is not refused
        for (int i = 0; i < 3; i++) {
            Api.Response retry = limited.send(alice, "first", "u:" + bob.userId(), "x");
            assertThat(retry.status()).as(retry.body().toString()).isEqualTo(202);
            assertThat(retry.body().path("messageId").asString()).isEqualTo(messageId);
            assertThat(Instant.parse(retry.body().path("acceptedAt").asString()))
                    .isEqualTo(acceptedAt);
        }
        assertProblem(limited.send(alice, "new", "u:" + bob.userId(), "x"), 429, "rate_limited", "");
    }

    @Test
    void failedLoginsAreLimitedPerUserAndPerAddress() {
        Api.Session alice = users.newUser("alice");
        for (int i = 0; i < 3; i++) {
            assertThat(limited.login(alice.userId(), "wrong-password", "phone").status())
                    .isEqualTo(401);
        }
        Api.Response refused = limited.login(alice.userId(), "password-" + alice.userId(), "phone");
        assertProblem(refused, 429, "rate_limited", "failed logins");
        assertThat(refused.header("Retry-After")).isNotNull();
        // the same address trying many user ids is stopped too (8 failures per address; 3 used above)
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(limited.login(Api.uniqueId("nobody"), "whatever-pw", "phone")
                    .status());
        }
        assertThat(statuses).startsWith(401, 401, 401, 401, 401).endsWith(429);
    }

    @Test
    void groupSizeIsLimitedOnCreateAndAdd() {
        Api.Session owner = users.newUser("owner");
        List<String> three = List.of(
                users.newUser("a").userId(),
                users.newUser("b").userId(),
                users.newUser("c").userId());
        Api.Response tooMany = limited.createGroup(owner, Api.uniqueId("g"), "G", three);
        assertProblem(tooMany, 400, "invalid_request", "members");
        assertThat(tooMany.body().path("detail").asString()).contains("3");

        String groupId = Api.uniqueId("g");
        assertThat(limited.createGroup(owner, groupId, "G", three.subList(0, 2)).status())
                .isEqualTo(201);
        assertProblem(limited.addMembers(owner, groupId, three.subList(2, 3)), 409, "conflict", "at most 3");
        assertThat(limited.addMembers(owner, groupId, three.subList(0, 1)).status())
                .as("a member added again does not make the group larger")
                .isEqualTo(202);
    }

    @Test
    void bodiesOver128KbAreRefusedBeforeTheyAreParsed() throws Exception {
        Api api = TestGateway.api();
        Api.Session alice = api.newUser("alice");
        String huge =
                "{\"clientMsgId\":\"c\",\"to\":\"u:x\",\"kind\":\"text\",\"content\":\"" + "x".repeat(200_000) + "\"}";
        assertProblem(api.post(api.gateway + "/v1/messages", alice.token(), huge), 413, "payload_too_large", "body");

        // without Content-Length (chunked), the body is cut off as it passes the limit
        assertProblem(
                api.postChunked(api.gateway + "/v1/messages", alice.token(), huge), 413, "payload_too_large", "body");
    }
}
