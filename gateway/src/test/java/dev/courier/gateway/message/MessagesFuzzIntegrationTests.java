package dev.courier.gateway.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;
import dev.courier.testinfra.fuzz.Fuzz;
import dev.courier.testinfra.fuzz.Fuzz.Answer;
import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.HttpCase;
import dev.courier.testinfra.fuzz.Fuzz.RawHttpCase;
import dev.courier.testinfra.fuzz.Fuzz.Req;
import dev.courier.testinfra.fuzz.Hostile.Body;
import dev.courier.testinfra.fuzz.HostileTokens;
import dev.courier.testinfra.fuzz.HttpCases;
import dev.courier.testinfra.fuzz.JsonBodies;
import dev.courier.testinfra.fuzz.JsonBodies.Field;
import dev.courier.testinfra.fuzz.JsonBodies.JsonEndpoint;
import dev.courier.web.AuthProperties;

import static dev.courier.testinfra.fuzz.Fuzz.bearer;
import static dev.courier.testinfra.fuzz.Hostile.str;
import static dev.courier.testinfra.fuzz.Hostile.utf8;
import static dev.courier.testinfra.fuzz.Hostile.visible;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz of sends over REST ({@code POST /v1/messages}) and of the gateway's index ({@code GET /}): hostile bodies,
 * tokens, methods, headers and raw requests, each answered with a 4xx problem+json and never a 500; a send accepted
 * is in the log exactly as it was sent. Afterwards, sends still flow.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MessagesFuzzIntegrationTests {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static final Fuzz FUZZ = new Fuzz("POST /v1/messages and the gateway's index");

    private static Api api;

    /** sends to bob */
    private static Api.Session alice;

    private static Api.Session bob;

    private static Api.Session gina;

    @BeforeAll
    static void createUsers() {
        api = TestGateway.api();
        alice = api.newUser("alice");
        bob = api.newUser("bob");
        gina = api.newUser("gina");
    }

    @AfterAll
    static void summarize() {
        FUZZ.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> bodiesThatAreMalformedMistypedOrHostileAreRefusedWithProblemsOrLoggedVerbatim() {
        String url = api.gateway + "/v1/messages";
        List<JsonEndpoint> endpoints = List.of(
                new JsonEndpoint(
                        "POST /v1/messages",
                        "",
                        "POST",
                        url,
                        alice.token(),
                        () -> Body.of(
                                "clientMsgId",
                                str("fz-" + SEQUENCE.incrementAndGet()),
                                "to",
                                str("u:" + bob.userId()),
                                "kind",
                                str("text"),
                                "content",
                                str("fuzz")),
                        false,
                        "content",
                        sendFields(bob),
                        body -> body.with("from", str(gina.userId()))
                                .with("messageId", str("forged"))
                                .with("conversation", str("g:nogroup"))
                                .with("sentAt", str("1970-01-01T00:00:00Z"))
                                .with("seq", "1"),
                        (sent, answer) -> verifySent(alice, sent, answer)),
                new JsonEndpoint(
                        "POST /v1/messages",
                        "media ",
                        "POST",
                        url,
                        alice.token(),
                        () -> Body.of(
                                "clientMsgId",
                                str("fz-" + SEQUENCE.incrementAndGet()),
                                "to",
                                str("u:" + bob.userId()),
                                "kind",
                                str("image"),
                                "content",
                                Body.of(
                                        "url",
                                        str("https://media.example/a.png"),
                                        "mime",
                                        str("image/png"),
                                        "size",
                                        "1024")),
                        false,
                        null,
                        List.of(
                                Field.string("content.url", u -> !u.isBlank() && u.length() <= 2048, false),
                                Field.string("content.mime", mime -> !mime.isBlank() && mime.length() <= 255, false),
                                Field.integer("content.size", 0, Long.MAX_VALUE, false)),
                        null,
                        (sent, answer) -> verifySent(alice, sent, answer)));
        return endpoints.stream().flatMap(JsonBodies::bodyCases).map(FUZZ::test);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> sendsWithHostileTokensAreRefusedWith401() {
        return HttpCases.tokenCases(
                        "POST /v1/messages",
                        "POST",
                        api.gateway + "/v1/messages",
                        utf8(Api.json("clientMsgId", "t1", "to", "u:" + bob.userId(), "kind", "text", "content", "x")),
                        HostileTokens.authorizations(gina.userId(), AuthProperties.DEVELOPMENT_SECRET))
                .stream()
                .map(FUZZ::test);
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> wrongMethodsHeadersAndHostileIndexRequestsAreRefusedOrHarmless() {
        String gw = api.gateway;
        List<HttpCase> cases = new ArrayList<>(List.of(
                HttpCases.wrongMethod("PUT /v1/messages", "PUT", gw + "/v1/messages", gina.token()),
                HttpCases.wrongMethod("FUZZ /v1/messages", "FUZZ", gw + "/v1/messages", gina.token()),
                HttpCases.wrongMethod("POST /", "POST", gw + "/", null)));
        for (String accept : List.of("application/xml", "text/html", "image/png")) {
            cases.add(new HttpCase(
                    "POST /v1/messages",
                    "a malformed body, Accept: " + accept,
                    Expect.REJECT,
                    0,
                    () -> new Req(
                                    "POST",
                                    gw + "/v1/messages",
                                    bearer(alice.token()),
                                    utf8("{"),
                                    "application/json",
                                    false,
                                    List.of())
                            .withHeaders("Accept", accept),
                    null));
        }
        cases.add(new HttpCase(
                "OPTIONS /v1/messages",
                "OPTIONS",
                Expect.EITHER,
                0,
                () -> Req.plain("OPTIONS", gw + "/v1/messages"),
                null));
        cases.addAll(HttpCases.indexCases("GET / (gateway)", gw));
        return cases.stream().map(FUZZ::test);
    }

    @TestFactory
    @Order(4)
    Stream<DynamicTest> requestsTheJdkClientCannotSendAreAnsweredWithProblems() {
        int port = TestGateway.port(TestGateway.context());
        return Stream.of(
                        new RawHttpCase(
                                "POST /v1/messages",
                                "two different Content-Length headers",
                                Expect.REJECT,
                                port,
                                "POST /v1/messages HTTP/1.1",
                                List.of(
                                        "Authorization: Bearer " + gina.token(),
                                        "Content-Type: application/json",
                                        "Content-Length: 2",
                                        "Content-Length: 3"),
                                "{}"),
                        new RawHttpCase(
                                "POST /v1/messages",
                                "Authorization of 20 KB (over the header limit)",
                                Expect.REJECT,
                                port,
                                "POST /v1/messages HTTP/1.1",
                                List.of(
                                        "Authorization: Bearer " + "A".repeat(20_000),
                                        "Content-Type: application/json",
                                        "Content-Length: 2"),
                                "{}"))
                .map(FUZZ::test);
    }

    @Test
    @Order(5)
    void sendsStillFlowAfterTheFuzzing() {
        Api.Session sender = api.newUser("after");
        Api.Session receiver = api.newUser("after");
        String viaRest = api.sendOk(sender, "u:" + receiver.userId(), "after the fuzz, over REST");
        String viaSocket;
        try (Socket socket = Socket.connect(api.gateway.replace("http://", "ws://") + "/v1/ws", sender.token())) {
            socket.send(Api.sendFrame("after-ws", "u:" + receiver.userId(), "after the fuzz, over the socket"));
            JsonNode ack = socket.next(Fuzz.ANSWER);
            assertThat(ack.path("type").asString()).as(ack.toString()).isEqualTo("ack");
            viaSocket = ack.path("messageId").asString();
        }
        ConversationLog log = TestGateway.conversations();
        assertThat(log.message(viaRest).value().path("content").asString()).isEqualTo("after the fuzz, over REST");
        assertThat(log.message(viaSocket).value().path("content").asString())
                .isEqualTo("after the fuzz, over the socket");
    }

    /** The fields of a text send to {@code recipient} and the values each may take. */
    static List<Field> sendFields(Api.Session recipient) {
        return List.of(
                Field.string(
                        "clientMsgId",
                        id -> JsonBodies.CLIENT_MSG_ID.matcher(id).matches(),
                        false),
                Field.string(
                        "to",
                        "u:",
                        to -> to.equals("u:" + recipient.userId())
                                || to.startsWith("u:")
                                        && JsonBodies.USER_ID
                                                .matcher(to.substring(2))
                                                .matches()),
                Field.string("kind", kind -> kind.equals("text"), false),
                Field.string("content", JsonBodies::isText, false));
    }

    private static void verifySent(Api.Session sender, ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().path("clientMsgId").asString())
                .isEqualTo(sent.path("clientMsgId").asString());
        assertLogged(sender, sent, answer.json());
    }

    /**
     * The accepted send ({@code accepted}: its 202 body or ack frame) is in the log as it was sent: keyed by its
     * conversation, from the sender, with the content verbatim and the acceptance time as {@code sentAt}.
     */
    static void assertLogged(Api.Session sender, ObjectNode sent, JsonNode accepted) {
        String messageId = accepted.path("messageId").asString();
        assertThat(messageId).isNotBlank();
        ConversationLog.Entry record = TestGateway.conversations().message(messageId);
        String recipient = sent.path("to").asString().substring(2);
        String conversation = "d:"
                + (sender.userId().compareTo(recipient) < 0
                        ? sender.userId() + ":" + recipient
                        : recipient + ":" + sender.userId());
        assertThat(record.key()).as("keyed by its conversation").isEqualTo(conversation);
        JsonNode message = record.value();
        assertThat(message.path("conversation").asString()).isEqualTo(conversation);
        assertThat(message.path("from").asString()).isEqualTo(sender.userId());
        assertThat(message.path("clientMsgId").asString())
                .isEqualTo(sent.path("clientMsgId").asString());
        assertThat(message.path("kind").asString()).isEqualTo(sent.path("kind").asString());
        assertThat(Instant.parse(message.path("sentAt").asString()))
                .isEqualTo(Instant.parse(accepted.path("acceptedAt").asString()));
        assertThat(visible(message.path("content").toString()))
                .as("the content is logged verbatim")
                .isEqualTo(visible(sent.path("content").toString()));
    }
}
