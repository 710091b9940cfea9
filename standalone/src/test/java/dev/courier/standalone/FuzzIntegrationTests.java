package dev.courier.standalone;

import java.time.Duration;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;
import dev.courier.testinfra.fuzz.Fuzz;
import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.FrameCase;
import dev.courier.testinfra.fuzz.Fuzz.HttpCase;
import dev.courier.testinfra.fuzz.Fuzz.Req;
import dev.courier.testinfra.fuzz.Fuzz.SocketTarget;
import dev.courier.testinfra.fuzz.Hostile;
import dev.courier.testinfra.fuzz.Hostile.Body;
import dev.courier.testinfra.fuzz.JsonBodies;

import static dev.courier.testinfra.fuzz.Fuzz.exchange;
import static dev.courier.testinfra.fuzz.Hostile.nestedArrays;
import static dev.courier.testinfra.fuzz.Hostile.str;
import static dev.courier.testinfra.fuzz.Hostile.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fuzz cases that need the whole system: hostile content that the gateway accepts goes through the pipeline and
 * is delivered verbatim, and content nested to the parser's limit never poisons an inbox. Afterwards, normal traffic
 * still flows. Each service's own endpoints are fuzzed in its module ({@code gateway}: accounts, groups, messages,
 * {@code /v1/ws}; {@code sync-api}: {@code /v1/sync}, {@code /v1/stream}), against that service alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static final Fuzz FUZZ = new Fuzz("the pipeline");

    private static Api api;

    private static SocketTarget ws;

    private static SocketTarget stream;

    private static JdbcClient database;

    @BeforeAll
    static void start() {
        api = TestSystem.api();
        ws = new SocketTarget("WS /v1/ws", "/v1/ws", api.gateway);
        stream = new SocketTarget("WS /v1/stream", "/v1/stream", api.sync);
        Infrastructure infrastructure = CourierInfrastructure.shared();
        database = JdbcClient.create(new DriverManagerDataSource(
                infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword()));
    }

    @AfterAll
    static void summarize() {
        FUZZ.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> hostileTextThatIsAcceptedIsDeliveredVerbatim() {
        Api.Session sender = api.newUser("hostile");
        Api.Device receiver = api.deviceOf(api.newUser("hostile"));
        return Hostile.STRINGS.stream()
                .filter(value -> JsonBodies.isText(value.value()))
                .map(value -> {
                    Body body = Body.of(
                            "clientMsgId",
                            str(Api.uniqueId("hostile")),
                            "to",
                            str("u:" + receiver.session.userId()),
                            "kind",
                            str("text"),
                            "content",
                            str(value.value()));
                    return FUZZ.test(new HttpCase(
                            "POST /v1/messages",
                            "content = " + value.label(),
                            Expect.EITHER,
                            0,
                            () -> Req.json("POST", api.gateway + "/v1/messages", sender.token(), body.render()),
                            answer -> assertDelivered(
                                    receiver,
                                    sender,
                                    body.parsed(),
                                    answer.json().path("messageId").asString())));
                });
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> contentNestedToTheParsersLimitIsRefusedOrDeliveredAndNeverPoisonsAnInbox() {
        // 498 nested arrays in a media reference: the request is 500 levels deep, the most the parser takes; a sync
        // answer holds the content three levels deeper. Users of their own: an undeliverable message stays in the
        // sender's and the recipient's inbox
        Api.Session[] users = new Api.Session[4];
        boolean[] accepted = new boolean[1];
        BiFunction<String, String, Body> deepSend = (clientMsgId, to) -> Body.of(
                "clientMsgId",
                str(clientMsgId),
                "to",
                str("u:" + to),
                "kind",
                str("image"),
                "content",
                Body.of(
                        "url",
                        str("https://media.example/deep.png"),
                        "mime",
                        str("image/png"),
                        "size",
                        "1",
                        "x",
                        nestedArrays(498)));
        return Stream.of(
                DynamicTest.dynamicTest("POST /v1/messages | media content of 498 nested arrays (500 levels)", () -> {
                    users[0] = api.newUser("deep");
                    users[1] = api.newUser("deep");
                    Body body = deepSend.apply("deep-rest", users[1].userId());
                    FUZZ.run(new HttpCase(
                            "POST /v1/messages",
                            "media content of 498 nested arrays",
                            Expect.EITHER,
                            0,
                            () -> Req.json("POST", api.gateway + "/v1/messages", users[0].token(), body.render()),
                            answer -> {
                                accepted[0] = true;
                                assertDelivered(
                                        api.deviceOf(users[1]),
                                        users[0],
                                        body.parsed(),
                                        answer.json().path("messageId").asString());
                            }));
                }),
                DynamicTest.dynamicTest("WS /v1/ws | send with media content of 498 nested arrays (500 levels)", () -> {
                    users[2] = api.newUser("deep");
                    users[3] = api.newUser("deep");
                    Body body = deepSend.apply("deep-ws", users[3].userId()).with("type", str("send"));
                    FUZZ.run(new FrameCase(
                            ws,
                            "deep content",
                            "send with media content of 498 nested arrays",
                            Expect.EITHER,
                            body.render(),
                            users[2].token(),
                            answer -> assertDelivered(
                                    api.deviceOf(users[3]),
                                    users[2],
                                    body.parsed(),
                                    answer.path("messageId").asString())));
                }),
                DynamicTest.dynamicTest("WS /v1/stream | sync of an inbox holding content of 498 nested arrays", () -> {
                    if (users[1] == null) {
                        users[0] = api.newUser("deep");
                        users[1] = api.newUser("deep");
                        accepted[0] = exchange(Req.json(
                                                "POST",
                                                api.gateway + "/v1/messages",
                                                users[0].token(),
                                                deepSend.apply("deep-stream", users[1].userId())
                                                        .render()))
                                        .status()
                                == 202;
                    }
                    String recipient = users[1].userId();
                    if (accepted[0]) {
                        await().atMost(DELIVERY)
                                .until(() -> !database.sql("SELECT message_id FROM inbox WHERE user_id = ?")
                                        .param(recipient)
                                        .query(String.class)
                                        .list()
                                        .isEmpty());
                    }
                    FUZZ.run(new FrameCase(
                            stream,
                            "deep content",
                            "sync of an inbox holding content of 498 nested arrays",
                            Expect.EITHER,
                            "{\"type\":\"sync\"}",
                            users[1].token(),
                            null));
                }));
    }

    @Test
    @Order(3)
    void normalTrafficStillFlowsAfterTheFuzzing() {
        Api.Session sender = api.newUser("after");
        Api.Session receiver = api.newUser("after");
        Api.Device device = api.deviceOf(receiver);
        device.syncAll();
        String viaRest = api.sendOk(sender, "u:" + receiver.userId(), "after the fuzz, over REST");
        String viaSocket;
        try (Socket socket = Socket.connect(ws.url(), sender.token())) {
            socket.send(Api.sendFrame("after-ws", "u:" + receiver.userId(), "after the fuzz, over the socket"));
            JsonNode ack = socket.next(DELIVERY);
            assertThat(ack.path("type").asString()).as(ack.toString()).isEqualTo("ack");
            viaSocket = ack.path("messageId").asString();
        }
        await().atMost(DELIVERY).untilAsserted(() -> {
            device.syncAll();
            assertThat(device.messageIds()).containsExactly(viaRest, viaSocket);
        });
        assertThat(device.messages)
                .extracting(m -> m.path("content").asString())
                .containsExactly("after the fuzz, over REST", "after the fuzz, over the socket");
        try (Socket socket = Socket.connect(stream.url(), receiver.token())) {
            socket.send("{\"type\":\"sync\"}");
            JsonNode delta = socket.await(frame -> frame.path("type").asString().equals("delta"), Fuzz.ANSWER);
            assertThat(delta.path("messages")).hasSize(2);
        }
        // the SQL of the hostile strings ran nowhere: the tables are there and the text is stored as it came
        assertThat(database.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
                        .query(String.class)
                        .list())
                .map(name -> name.toLowerCase(Locale.ROOT))
                .contains("accounts", "devices", "contacts", "chat_groups", "group_members", "messages", "inbox");
        assertThat(database.sql("SELECT content FROM messages WHERE content = ?")
                        .param(str("\"; DROP TABLE accounts; --"))
                        .query(String.class)
                        .list())
                .as("delivered with the DROP TABLE string")
                .isNotEmpty();
    }

    private static void assertDelivered(Api.Device device, Api.Session sender, ObjectNode sent, String messageId) {
        assertThat(messageId).isNotBlank();
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(10)).until(() -> {
            device.syncAll();
            return device.messageIds().contains(messageId);
        });
        JsonNode message = device.messages.stream()
                .filter(m -> m.path("messageId").asString().equals(messageId))
                .findFirst()
                .orElseThrow();
        assertThat(message.path("from").asString()).isEqualTo(sender.userId());
        assertThat(message.path("clientMsgId").asString())
                .isEqualTo(sent.path("clientMsgId").asString());
        assertThat(message.path("kind").asString()).isEqualTo(sent.path("kind").asString());
        assertThat(visible(message.path("content").toString()))
                .as("the content is delivered verbatim")
                .isEqualTo(visible(sent.path("content").toString()));
    }
}
