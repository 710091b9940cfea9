package dev.courier.gateway.message;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;
import dev.courier.testinfra.client.StalledClient;

import static dev.courier.testinfra.client.Problems.assertErrorFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sends over the gateway's WebSocket ({@code GET /v1/ws}): many in flight, each answered by an {@code ack} or an
 * {@code error} frame with its {@code clientMsgId}, in the log in the socket's order, with the idempotency and errors
 * of {@code POST /v1/messages}; a client that stops reading holds up only itself.
 */
class GatewaySocketIntegrationTests {

    private static final Duration FRAME = Duration.ofSeconds(10);

    private final Api api = TestGateway.api();

    private final ConversationLog log = TestGateway.conversations();

    private final String url = api.gateway.replace("http://", "ws://") + "/v1/ws";

    @Test
    void aHundredSendsInFlightAreAckedOnceEachAndLoggedInTheSocketsOrder() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        List<String> clientMsgIds =
                IntStream.range(0, 100).mapToObj(i -> "ws-" + i).toList();
        Map<String, String> messageIds = new LinkedHashMap<>();
        try (Socket socket = Socket.connect(url, alice.token())) {
            for (String clientMsgId : clientMsgIds) {
                socket.send(Api.sendFrame(clientMsgId, "u:" + bob.userId(), "message " + clientMsgId));
            }
            while (messageIds.size() < clientMsgIds.size()) {
                JsonNode ack = socket.next(FRAME);
                assertThat(ack.path("type").asString()).as(ack.toString()).isEqualTo("ack");
                assertThat(ack.path("acceptedAt").asString()).endsWith("Z");
                String previous = messageIds.put(
                        ack.path("clientMsgId").asString(),
                        ack.path("messageId").asString());
                assertThat(previous).as("one ack per send").isNull();
            }
        }
        assertThat(messageIds).containsOnlyKeys(clientMsgIds);
        List<String> inSendOrder = clientMsgIds.stream().map(messageIds::get).toList();
        assertThat(inSendOrder).doesNotHaveDuplicates();
        log.message(inSendOrder.getLast());
        List<ConversationLog.Entry> logged = log.conversation(SendsIntegrationTests.direct(alice, bob));
        assertThat(logged)
                .extracting(entry -> entry.value().path("messageId").asString())
                .containsExactlyElementsOf(inSendOrder);
        assertThat(logged.getFirst().value().path("content").asString()).isEqualTo("message ws-0");
    }

    @Test
    void repeatedClientMsgIdIsAckedWithTheSameMessageIdAndOnceStoredWithItsAcceptanceTime() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String send = Api.sendFrame("same-1", "u:" + bob.userId(), "once");
        try (Socket socket = Socket.connect(url, alice.token())) {
            socket.send(send);
            socket.send(send);
            JsonNode first = socket.next(FRAME);
            JsonNode second = socket.next(FRAME);
            assertThat(first.path("type").asString()).as(first.toString()).isEqualTo("ack");
            assertThat(second.path("type").asString()).as(second.toString()).isEqualTo("ack");
            String messageId = first.path("messageId").asString();
            assertThat(second.path("messageId").asString()).isEqualTo(messageId);
            assertThat(second.path("clientMsgId").asString()).isEqualTo("same-1");

            Instant storedAt = Instant.parse(first.path("acceptedAt").asString());
            SendsIntegrationTests.storeMessage(
                    messageId, SendsIntegrationTests.direct(alice, bob), alice.userId(), "same-1", storedAt);
            socket.send(send);
            JsonNode late = socket.next(FRAME);
            assertThat(late.path("type").asString()).as(late.toString()).isEqualTo("ack");
            assertThat(late.path("messageId").asString()).isEqualTo(messageId);
            assertThat(Instant.parse(late.path("acceptedAt").asString()))
                    .as("the stored acceptance time")
                    .isEqualTo(storedAt);
        }
    }

    @Test
    void badSendsAreAnsweredWithErrorFramesAndTheSocketKeepsWorking() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(carol, groupId, "Without alice", List.of(bob.userId()))
                        .status())
                .isEqualTo(201);
        try (Socket socket = Socket.connect(url, alice.token())) {
            socket.send(Api.sendFrame("e-member", "g:" + groupId, "x"));
            assertErrorFrame(socket.next(FRAME), "e-member", 403, "not_member", "");
            socket.send(Api.sendFrame("e-user", "u:nobody-" + alice.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-user", 404, "not_found", "to");
            socket.send(Api.sendFrame("e-group", "g:nogroup-" + alice.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-group", 404, "not_found", "to");
            socket.send(Api.sendFrame("e-to", bob.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-to", 400, "invalid_request", "to");
            socket.send(Api.sendFrame("e-self", "u:" + alice.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-self", 400, "invalid_request", "to");
            socket.send(Api.sendFrame("e-big", "u:" + bob.userId(), "x".repeat(16 * 1024 + 1)));
            assertErrorFrame(socket.next(FRAME), "e-big", 413, "payload_too_large", "content");
            socket.send(Api.json(
                    "type", "send", "clientMsgId", "e-kind", "to", "u:" + bob.userId(), "kind", "gif", "content", "x"));
            assertErrorFrame(socket.next(FRAME), "e-kind", 400, "invalid_request", "kind");
            socket.send(Api.json("type", "send", "to", "u:" + bob.userId(), "kind", "text", "content", "x"));
            assertErrorFrame(socket.next(FRAME), null, 400, "invalid_request", "clientMsgId");
            socket.send("{\"type\":\"send\",");
            assertErrorFrame(socket.next(FRAME), null, 400, "invalid_request", "frame");
            socket.send(Api.json("type", "edit", "clientMsgId", "e-type"));
            assertErrorFrame(socket.next(FRAME), "e-type", 400, "invalid_request", "type");

            socket.send(Api.sendFrame("ok-1", "u:" + bob.userId(), "still works"));
            JsonNode ack = socket.next(FRAME);
            assertThat(ack.path("type").asString()).as(ack.toString()).isEqualTo("ack");
            assertThat(ack.path("clientMsgId").asString()).isEqualTo("ok-1");
            assertThat(socket.isClosed()).isFalse();
            log.message(ack.path("messageId").asString());
        }
        assertThat(log.all(entry -> entry.value().path("from").asString().equals(alice.userId())))
                .extracting(entry -> entry.value().path("clientMsgId").asString())
                .as("only the accepted send is in the log")
                .containsExactly("ok-1");
    }

    @Test
    void pingIsAnsweredWithPongWithTheTokenAsQueryParameter() {
        Api.Session alice = api.newUser("alice");
        try (Socket socket = Socket.connectWithQueryToken(url, alice.token())) {
            socket.send("{\"type\":\"ping\"}");
            assertThat(socket.next(FRAME).toString()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    @Test
    void aMissingOrBadTokenIsRefusedWith401AtTheHandshake() {
        assertThat(Socket.refusedHandshakeStatus(url, "not-a-token")).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(url, null)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(url + "?access_token=x.y.z", null))
                .isEqualTo(401);
    }

    @Test
    void clientThatStopsReadingDoesNotStallOtherUsersSends() throws IOException {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        assertThat(api.send(bob, "warm-up", "u:" + alice.userId(), "warm-up").status())
                .isEqualTo(202);
        try (StalledClient stalled =
                new StalledClient(TestGateway.port(TestGateway.context()), "/v1/ws", alice.token())) {
            for (int i = 0; i < 300; i++) {
                stalled.send(Api.sendFrame("unread-ack-" + "x".repeat(40) + "-" + i, "u:" + bob.userId(), "m" + i));
            }
            // for 3 s, bob's sends through the same gateway are accepted as usual
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)).until(() -> {
                long started = System.nanoTime();
                Api.Response probe = api.send(bob, Api.uniqueId("c"), "u:" + alice.userId(), "probe");
                long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
                return probe.status() == 202 && elapsed <= 2_000;
            });
        }
    }
}
