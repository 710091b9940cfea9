package dev.courier.gateway.message;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.fuzz.Fuzz;
import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.FrameCase;
import dev.courier.testinfra.fuzz.Fuzz.SocketTarget;
import dev.courier.testinfra.fuzz.Hostile.Body;
import dev.courier.testinfra.fuzz.HostileTokens;
import dev.courier.testinfra.fuzz.JsonBodies.Field;
import dev.courier.testinfra.fuzz.SocketFrames;

import static dev.courier.testinfra.fuzz.Hostile.nestedArrays;
import static dev.courier.testinfra.fuzz.Hostile.str;

/**
 * Fuzz of the gateway's WebSocket ({@code GET /v1/ws}): hostile text frames, frames only a raw client writes and
 * hostile handshakes, each answered with an {@code error} frame (the socket staying usable), a close frame with a
 * fitting code, or a refused handshake as problem+json; a send accepted is in the log exactly as it was sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewaySocketFuzzIntegrationTests {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static final Fuzz FUZZ = new Fuzz("WS /v1/ws");

    private static SocketTarget target;

    /** sends to bob */
    private static Api.Session amy;

    private static Api.Session bob;

    private static Api.Session gina;

    @BeforeAll
    static void createUsers() {
        Api api = TestGateway.api();
        target = new SocketTarget("WS /v1/ws", "/v1/ws", api.gateway);
        amy = api.newUser("amy");
        bob = api.newUser("bob");
        gina = api.newUser("gina");
    }

    @AfterAll
    static void summarize() {
        FUZZ.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> hostileFramesAreAnsweredWithErrorFramesOrAProperClose() {
        Supplier<Body> valid = () -> Body.of(
                "type",
                str("send"),
                "clientMsgId",
                str("ws-" + SEQUENCE.incrementAndGet()),
                "to",
                str("u:" + bob.userId()),
                "kind",
                str("text"),
                "content",
                str("fuzz"));
        BiConsumer<JsonNode, ObjectNode> accepted =
                (answer, sent) -> MessagesFuzzIntegrationTests.assertLogged(amy, sent, answer);
        List<FrameCase> cases = SocketFrames.frameCases(
                target,
                amy.token(),
                valid,
                accepted,
                "{\"type\":\"sync\"}",
                "{\"type\":\"ack\",\"clientMsgId\":\"x\"}",
                MessagesFuzzIntegrationTests.sendFields(bob));
        Supplier<Body> media = () -> valid.get()
                .with("kind", str("image"))
                .with(
                        "content",
                        Body.of("url", str("https://media.example/a.png"), "mime", str("image/png"), "size", "1024"));
        // the media reference's strings are stored like those of POST /v1/messages, checked there
        SocketFrames.fieldFrames(
                target, amy.token(), Field.integer("content.size", 0, Long.MAX_VALUE, false), media, accepted, cases);
        Map<String, UnaryOperator<Body>> assignments = new LinkedHashMap<>();
        assignments.put(
                "send with server-owned fields",
                body -> body.with("from", str(gina.userId()))
                        .with("messageId", str("forged"))
                        .with("sentAt", str("1970-01-01T00:00:00Z")));
        assignments.put("send with 400 nested arrays in an unknown field", body -> body.with("x", nestedArrays(400)));
        assignments.forEach((label, change) -> {
            Body body = change.apply(valid.get());
            cases.add(new FrameCase(
                    target,
                    "harmless extras",
                    label,
                    Expect.EITHER,
                    body.render(),
                    amy.token(),
                    SocketFrames.verifyWith(accepted, body)));
        });
        cases.add(new FrameCase(
                target,
                "field content",
                "send with content of 60 KB",
                Expect.REJECT,
                valid.get().with("content", str("c".repeat(60 * 1024))).render(),
                amy.token(),
                null));
        return Stream.concat(
                cases.stream().map(FUZZ::test),
                SocketFrames.rawFrameCases(target, amy.token()).stream().map(FUZZ::test));
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> hostileHandshakesAreRefusedWithProblems() {
        return SocketFrames.handshakeCases(target, amy.token(), HostileTokens.unsigned(gina.userId())).stream()
                .map(FUZZ::test);
    }
}
