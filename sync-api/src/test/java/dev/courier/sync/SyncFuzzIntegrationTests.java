package dev.courier.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

import dev.courier.testinfra.client.Api;
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

import static dev.courier.testinfra.fuzz.Hostile.encode;
import static dev.courier.testinfra.fuzz.Hostile.str;
import static dev.courier.testinfra.fuzz.Hostile.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz of {@code POST /v1/sync} and the sync-api's index ({@code GET /}): hostile bodies, tokens, {@code waitMs}
 * values, methods and raw requests, each answered with a 4xx problem+json and never a 500; a sync accepted is the
 * caller's own. Afterwards, syncs still work.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SyncFuzzIntegrationTests {

    private static final Fuzz FUZZ = new Fuzz("POST /v1/sync and the sync-api's index");

    private static String sync;

    /** syncs with hostile requests */
    private static Api.Session carol;

    private static Map<String, String> tokens;

    @BeforeAll
    static void createUsers() {
        sync = TestSyncApi.baseUrl();
        carol = TestSyncApi.newSession("carol");
        Api.Session gina = TestSyncApi.newSession("gina");
        tokens = HostileTokens.authorizations(gina.userId(), AuthProperties.DEVELOPMENT_SECRET);
    }

    @AfterAll
    static void summarize() {
        FUZZ.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> bodiesThatAreMalformedMistypedOrHostileAreRefusedWithProblemsOrSyncTheCaller() {
        return JsonBodies.bodyCases(new JsonEndpoint(
                        "POST /v1/sync",
                        "",
                        "POST",
                        sync + "/v1/sync",
                        carol.token(),
                        () -> Body.of("limit", "10"),
                        true,
                        "syncKey",
                        List.of(Field.string("syncKey", key -> false, true), Field.integer("limit", 1, 500, true)),
                        body -> body.with("userId", str("gina")).with("deviceId", str("other")),
                        (sent, answer) -> verifySynced(carol, answer)))
                .map(FUZZ::test);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> syncsWithHostileTokensAreRefusedWith401() {
        return Stream.of(
                        HttpCases.tokenCases("POST /v1/sync", "POST", sync + "/v1/sync", utf8("{}"), tokens),
                        HttpCases.tokenCases(
                                "POST /v1/sync (long poll)", "POST", sync + "/v1/sync?waitMs=100", utf8("{}"), tokens))
                .flatMap(List::stream)
                .map(FUZZ::test);
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> hostileWaitMsValuesAreRefusedOrHarmless() {
        Map<String, Expect> values = new LinkedHashMap<>();
        values.put("soon", Expect.REJECT);
        values.put("-1", Expect.REJECT);
        values.put("30001", Expect.REJECT);
        values.put("1e3", Expect.REJECT);
        values.put("1.5", Expect.REJECT);
        values.put("99999999999999999999", Expect.REJECT);
        values.put("9223372036854775807", Expect.REJECT);
        values.put("-9223372036854775808", Expect.REJECT);
        values.put("NaN", Expect.REJECT);
        values.put("Infinity", Expect.REJECT);
        values.put(encode("' OR 1=1 --"), Expect.REJECT);
        values.put("%00", Expect.REJECT);
        values.put(encode("\u0661\u0662"), Expect.EITHER); // Arabic-Indic digits: Java reads them as 12
        values.put("", Expect.EITHER);
        values.put("0x10", Expect.EITHER);
        values.put("%2B5", Expect.EITHER);
        values.put("007", Expect.EITHER);
        values.put("-0", Expect.EITHER);
        values.put("%205", Expect.EITHER);
        values.put("5%0A", Expect.EITHER);
        values.put("1&waitMs=2", Expect.EITHER);
        values.put("0&debug=true&admin=1", Expect.EITHER);
        List<HttpCase> cases = new ArrayList<>();
        values.forEach((value, expect) -> cases.add(new HttpCase(
                "POST /v1/sync",
                "query waitMs=" + value,
                expect,
                0,
                () -> Req.json("POST", sync + "/v1/sync?waitMs=" + value, carol.token(), "{}"),
                answer -> verifySynced(carol, answer))));
        return cases.stream().map(FUZZ::test);
    }

    @TestFactory
    @Order(4)
    Stream<DynamicTest> wrongMethodsAndHostileIndexRequestsAreRefusedOrHarmless() {
        List<HttpCase> cases = new ArrayList<>(List.of(
                HttpCases.wrongMethod("GET /v1/sync", "GET", sync + "/v1/sync", carol.token()),
                HttpCases.wrongMethod("DELETE /v1/sync", "DELETE", sync + "/v1/sync", carol.token()),
                HttpCases.wrongMethod("DELETE /", "DELETE", sync + "/", null)));
        cases.addAll(HttpCases.indexCases("GET / (sync-api)", sync));
        return cases.stream().map(FUZZ::test);
    }

    @TestFactory
    @Order(5)
    Stream<DynamicTest> requestsTheJdkClientCannotSendAreAnsweredWithProblems() {
        int port = Integer.parseInt(sync.substring(sync.lastIndexOf(':') + 1));
        List<String> headers = List.of(
                "Authorization: Bearer " + carol.token(), "Content-Type: application/json", "Content-Length: 2");
        return Stream.of(
                        new RawHttpCase(
                                "POST /v1/sync",
                                "query waitMs=%zz",
                                Expect.EITHER,
                                port,
                                "POST /v1/sync?waitMs=%zz HTTP/1.1",
                                headers,
                                "{}"),
                        new RawHttpCase(
                                "POST /v1/sync",
                                "query waitMs=5%",
                                Expect.EITHER,
                                port,
                                "POST /v1/sync?waitMs=5% HTTP/1.1",
                                headers,
                                "{}"),
                        new RawHttpCase(
                                "POST /v1/sync",
                                "header line without a colon",
                                Expect.REJECT,
                                port,
                                "POST /v1/sync HTTP/1.1",
                                List.of(
                                        "Authorization: Bearer " + carol.token(),
                                        "this is not a header",
                                        "Content-Type: application/json",
                                        "Content-Length: 2"),
                                "{}"))
                .map(FUZZ::test);
    }

    @Test
    @Order(6)
    void syncsStillWorkAfterTheFuzzing() {
        Api.Session bob = TestSyncApi.newSession("after");
        Api api = TestSyncApi.api();
        Api.Device device = api.deviceOf(bob);
        device.syncAll();
        String sent = TestRows.deliver("someone", "after the fuzz", bob.userId());
        assertThat(device.syncAll())
                .extracting(message -> message.path("messageId").asString())
                .containsExactly(sent);
    }

    private static void verifySynced(Api.Session session, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("syncKey").asString()).isNotBlank();
        assertThat(answer.json().path("account").path("userId").asString()).isEqualTo(session.userId());
    }
}
