package dev.courier.sync;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.fuzz.Fuzz;
import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.FrameCase;
import dev.courier.testinfra.fuzz.Fuzz.SocketTarget;
import dev.courier.testinfra.fuzz.Hostile.Body;
import dev.courier.testinfra.fuzz.HostileTokens;
import dev.courier.testinfra.fuzz.JsonBodies.Field;
import dev.courier.testinfra.fuzz.SocketFrames;

import static dev.courier.testinfra.fuzz.Hostile.str;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz of the sync-api's WebSocket ({@code GET /v1/stream}): hostile text frames, frames only a raw client writes and
 * hostile handshakes, each answered with an {@code error} frame (the stream staying usable), a close frame with a
 * fitting code, or a refused handshake as problem+json; a sync accepted is the stream's user's own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamFuzzIntegrationTests {

    private static final Fuzz FUZZ = new Fuzz("WS /v1/stream");

    private static SocketTarget target;

    /** has the stream */
    private static Api.Session ivy;

    /** whose key ivy presents */
    private static Api.Session carol;

    @BeforeAll
    static void createUsers() {
        target = new SocketTarget("WS /v1/stream", "/v1/stream", TestSyncApi.baseUrl());
        ivy = TestSyncApi.newSession("ivy");
        carol = TestSyncApi.newSession("carol");
    }

    @AfterAll
    static void summarize() {
        FUZZ.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> hostileFramesAreAnsweredWithErrorFramesOrAProperClose() {
        List<FrameCase> cases = SocketFrames.frameCases(
                target,
                ivy.token(),
                () -> Body.of("type", str("sync"), "limit", "10"),
                (answer, sent) -> assertThat(
                                answer.path("account").path("userId").asString())
                        .isEqualTo(ivy.userId()),
                "{\"type\":\"send\",\"clientMsgId\":\"x\",\"to\":\"u:x\",\"kind\":\"text\",\"content\":\"x\"}",
                "{\"type\":\"delta\",\"messages\":[]}",
                List.of(Field.string("syncKey", key -> false, true), Field.integer("limit", 1, 500, true)));
        String carolsKey = TestSyncApi.firstSyncKey(carol.token());
        cases.add(new FrameCase(
                target,
                "field syncKey",
                "syncKey of another user",
                Expect.REJECT,
                Body.of("type", str("sync"), "syncKey", str(carolsKey)).render(),
                ivy.token(),
                null));
        return Stream.concat(
                cases.stream().map(FUZZ::test),
                SocketFrames.rawFrameCases(target, ivy.token()).stream().map(FUZZ::test));
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> hostileHandshakesAreRefusedWithProblems() {
        return SocketFrames.handshakeCases(target, ivy.token(), HostileTokens.unsigned(carol.userId())).stream()
                .map(FUZZ::test);
    }
}
