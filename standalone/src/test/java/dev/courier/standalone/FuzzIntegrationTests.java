package dev.courier.standalone;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Json;
import dev.courier.standalone.Hostile.Body;
import dev.courier.standalone.Hostile.Value;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.web.AuthProperties;

import static dev.courier.standalone.Hostile.INTEGERS;
import static dev.courier.standalone.Hostile.INVALID_UTF8;
import static dev.courier.standalone.Hostile.PASSWORDS;
import static dev.courier.standalone.Hostile.STRINGS;
import static dev.courier.standalone.Hostile.WRONG_LIST_TYPES;
import static dev.courier.standalone.Hostile.WRONG_TYPES;
import static dev.courier.standalone.Hostile.abbreviate;
import static dev.courier.standalone.Hostile.bytes;
import static dev.courier.standalone.Hostile.concat;
import static dev.courier.standalone.Hostile.encode;
import static dev.courier.standalone.Hostile.hostileSegments;
import static dev.courier.standalone.Hostile.nestedArrays;
import static dev.courier.standalone.Hostile.nestedObjects;
import static dev.courier.standalone.Hostile.str;
import static dev.courier.standalone.Hostile.utf8;
import static dev.courier.standalone.Hostile.visible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Throws malformed, oversized, mistyped and hostile input at every public endpoint and at every WebSocket frame type,
 * from tables generated here (hostile value × field × endpoint, plus malformed bodies, invalid UTF-8, deep nesting,
 * huge numbers, unknown fields, wrong content types, hostile tokens, path parameters and query values): each is answered
 * with a 4xx problem+json (on a socket: an {@code error} frame, the socket staying usable, or a close frame with a
 * code), never a 5xx and never a connection dropped without a close frame. Structurally invalid input must be refused;
 * hostile but valid free text may be accepted, and then it must round-trip verbatim and do nothing else. Afterwards,
 * normal traffic still flows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(FuzzIntegrationTests.class);

    /** The codes of PROTOCOL.md ("Errors"); {@code internal} is for bugs only. */
    private static final Set<String> CODES = Set.of(
            "invalid_request",
            "unauthenticated",
            "forbidden",
            "not_found",
            "conflict",
            "not_member",
            "payload_too_large",
            "invalid_sync_key",
            "rate_limited",
            "unavailable");

    /** Close codes that refuse bad input properly: protocol error, unacceptable data, invalid payload, policy, too big. */
    private static final Set<Integer> FINE_CLOSE_CODES = Set.of(1002, 1003, 1007, 1008, 1009);

    private static final Duration ANSWER = Duration.ofSeconds(10);

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static final String DEFAULT_PASSWORD = "password-of-fuzz";

    private static final Pattern USER_ID = Pattern.compile("[a-z0-9._-]{1,64}");

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final Pattern CLIENT_MSG_ID = Pattern.compile("[\\x21-\\x7E]{1,64}");

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static final Tally TALLY = new Tally();

    private static final Map<String, Conn> SOCKETS = new LinkedHashMap<>();

    private static Api api;

    private static Fixtures fx;

    private static long fuzzStartedAt;

    /** For looking at what was stored, opened on first use. */
    private static Connection database;

    // ---------------------------------------------------------------- set-up and summary

    @BeforeAll
    static void createUsers() {
        api = TestSystem.api();
        fuzzStartedAt = System.nanoTime();
        fx = new Fixtures();
    }

    @AfterAll
    static void summarize() throws SQLException {
        SOCKETS.values().forEach(Conn::close);
        if (database != null) {
            database.close();
        }
        TALLY.log(Duration.ofNanos(System.nanoTime() - fuzzStartedAt));
    }

    /** The users and group the cases act as and on; each endpoint's cases have users of their own. */
    private static final class Fixtures {

        /** sends over REST to bob */
        final Api.Session alice = api.newUser("alice");

        /** sends over /v1/ws to bob */
        final Api.Session amy = api.newUser("amy");

        /** receives every accepted hostile message */
        final Api.Session bob = api.newUser("bob");

        final Api.Device bobs = api.deviceOf(bob);

        /** syncs with hostile requests */
        final Api.Session carol = api.newUser("carol");

        /** renames herself */
        final Api.Session dave = api.newUser("dave");

        /** adds frank as a contact */
        final Api.Session erin = api.newUser("erin");

        final Api.Session frank = api.newUser("frank");

        /** owns a group with hank */
        final Api.Session gina = api.newUser("gina");

        final Api.Session hank = api.newUser("hank");

        final String groupId = Api.uniqueId("g");

        /** has the stream socket */
        final Api.Session ivy = api.newUser("ivy");

        /** logs in with hostile requests */
        final Api.Session jo = api.newUser("jo");

        final Map<String, String> tokens;

        Fixtures() {
            Api.Response group = api.createGroup(gina, groupId, "Fuzz group", List.of(hank.userId()));
            assertThat(group.status()).as(group.body().toString()).isEqualTo(201);
            bobs.syncAll();
            tokens = hostileAuthorizations(gina.userId());
        }
    }

    // ---------------------------------------------------------------- REST

    @TestFactory
    @Order(1)
    Stream<DynamicTest> jsonEndpointsRefuseMalformedMistypedAndHostileBodiesWithProblemsNeverA500() {
        return jsonEndpoints().stream().flatMap(FuzzIntegrationTests::bodyCases).map(FuzzIntegrationTests::test);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyAuthenticatedEndpointRefusesHostileTokensWith401() {
        List<HttpCase> cases = new ArrayList<>();
        for (AuthenticatedCall call : authenticatedCalls()) {
            fx.tokens.forEach((label, authorization) -> cases.add(new HttpCase(
                    call.endpoint(),
                    "token: " + label,
                    Expect.REJECT,
                    401,
                    () -> new Req(
                            call.method(),
                            call.url(),
                            authorization,
                            call.body(),
                            call.body() == null ? null : "application/json",
                            false,
                            List.of()),
                    null)));
        }
        return cases.stream().map(FuzzIntegrationTests::test);
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> hostilePathParametersAreNotFoundOrRefused() {
        List<HttpCase> cases = new ArrayList<>();
        String gw = api.gateway;
        String members = "{\"userIds\":[\"" + fx.hank.userId() + "\"]}";
        record Slot(String endpoint, String existing, Function<String, Req> request) {}
        List<Slot> slots = List.of(
                new Slot(
                        "PUT /v1/contacts/{userId}",
                        fx.frank.userId(),
                        seg -> json("PUT", gw + "/v1/contacts/" + seg, fx.erin, "{\"alias\":\"F\"}")),
                new Slot(
                        "DELETE /v1/contacts/{userId}",
                        fx.frank.userId(),
                        seg -> json("DELETE", gw + "/v1/contacts/" + seg, fx.erin, null)),
                new Slot(
                        "GET /v1/groups/{groupId}",
                        fx.groupId,
                        seg -> json("GET", gw + "/v1/groups/" + seg, fx.gina, null)),
                new Slot(
                        "POST /v1/groups/{groupId}/members",
                        fx.groupId,
                        seg -> json("POST", gw + "/v1/groups/" + seg + "/members", fx.gina, members)),
                new Slot(
                        "DELETE /v1/groups/{groupId}/members/{userId}",
                        fx.groupId,
                        seg -> json(
                                "DELETE", gw + "/v1/groups/" + seg + "/members/" + fx.hank.userId(), fx.gina, null)),
                new Slot(
                        "DELETE /v1/groups/{groupId}/members/{userId}",
                        fx.hank.userId(),
                        seg -> json("DELETE", gw + "/v1/groups/" + fx.groupId + "/members/" + seg, fx.gina, null)));
        for (Slot slot : slots) {
            for (Value segment : hostileSegments(slot.existing())) {
                cases.add(new HttpCase(
                        slot.endpoint(),
                        "path " + segment.label() + " '" + abbreviate(segment.value(), 40) + "'",
                        Expect.REJECT,
                        0,
                        () -> slot.request().apply(segment.value()),
                        null));
            }
            // a path parameter is stripped by the servlet container: this names the existing resource
            cases.add(new HttpCase(
                    slot.endpoint(),
                    "path parameter ';jsessionid=1' after an existing id",
                    Expect.EITHER,
                    0,
                    () -> slot.request().apply(slot.existing() + ";jsessionid=1"),
                    null));
        }
        // bodies where none is read
        record Bodyless(String endpoint, String method, String url, Api.Session as) {}
        for (Bodyless call : List.of(
                new Bodyless(
                        "DELETE /v1/contacts/{userId}", "DELETE", gw + "/v1/contacts/" + fx.hank.userId(), fx.erin),
                new Bodyless("GET /v1/groups/{groupId}", "GET", gw + "/v1/groups/" + fx.groupId, fx.gina),
                new Bodyless(
                        "DELETE /v1/groups/{groupId}/members/{userId}",
                        "DELETE",
                        gw + "/v1/groups/" + fx.groupId + "/members/nobody-" + fx.hank.userId(),
                        fx.gina))) {
            String token = bearer(call.as().token());
            cases.add(new HttpCase(
                    call.endpoint(),
                    "a malformed JSON body",
                    Expect.EITHER,
                    0,
                    () -> new Req(
                            call.method(), call.url(), token, utf8("{\"a\":"), "application/json", false, List.of()),
                    null));
            cases.add(new HttpCase(
                    call.endpoint(),
                    "an invalid UTF-8 body",
                    Expect.EITHER,
                    0,
                    () -> new Req(
                            call.method(),
                            call.url(),
                            token,
                            bytes(0xC3, 0x28, 0xFF),
                            "application/json",
                            false,
                            List.of()),
                    null));
            cases.add(new HttpCase(
                    call.endpoint(),
                    "a body of 200 KB",
                    Expect.REJECT,
                    413,
                    () -> new Req(
                            call.method(),
                            call.url(),
                            token,
                            utf8("x".repeat(200_000)),
                            "text/plain",
                            false,
                            List.of()),
                    null));
        }
        return cases.stream().map(FuzzIntegrationTests::test);
    }

    @TestFactory
    @Order(4)
    Stream<DynamicTest> hostileWaitMsValuesAreRefusedOrHarmless() {
        List<HttpCase> cases = new ArrayList<>();
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
        values.forEach((value, expect) -> cases.add(new HttpCase(
                "POST /v1/sync",
                "query waitMs=" + value,
                expect,
                0,
                () -> json("POST", api.sync + "/v1/sync?waitMs=" + value, fx.carol, "{}"),
                answer -> verifySynced(fx.carol, answer))));
        return cases.stream().map(FuzzIntegrationTests::test);
    }

    @TestFactory
    @Order(5)
    Stream<DynamicTest> wrongMethodsIndexesAndSignOutSurviveHostileRequests() {
        List<HttpCase> cases = new ArrayList<>();
        String gw = api.gateway;
        String group = gw + "/v1/groups/" + fx.groupId;
        record Call(String method, String url, Api.Session as) {}
        for (Call call : List.of(
                new Call("GET", gw + "/v1/accounts", null),
                new Call("PUT", gw + "/v1/sessions", null),
                new Call("GET", gw + "/v1/sessions", fx.gina),
                new Call("POST", gw + "/v1/account", fx.gina),
                new Call("GET", gw + "/v1/account", fx.gina),
                new Call("POST", gw + "/v1/contacts/" + fx.hank.userId(), fx.gina),
                new Call("PATCH", gw + "/v1/groups", fx.gina),
                new Call("DELETE", group, fx.gina),
                new Call("PUT", group + "/members", fx.gina),
                new Call("GET", group + "/members/" + fx.hank.userId(), fx.gina),
                new Call("PUT", gw + "/v1/messages", fx.gina),
                new Call("FUZZ", gw + "/v1/messages", fx.gina),
                new Call("GET", api.sync + "/v1/sync", fx.carol),
                new Call("DELETE", api.sync + "/v1/sync", fx.carol),
                new Call("POST", gw + "/", null),
                new Call("DELETE", api.sync + "/", null))) {
            String template = path(call.url()).replace(fx.groupId, "{groupId}").replace(fx.hank.userId(), "{userId}");
            cases.add(new HttpCase(
                    call.method() + " " + template,
                    "wrong method",
                    Expect.REJECT,
                    0,
                    () -> json(call.method(), call.url(), call.as(), "{}"),
                    null));
        }
        for (String accept : List.of("application/xml", "text/html", "image/png")) {
            cases.add(new HttpCase(
                    "POST /v1/messages",
                    "a malformed body, Accept: " + accept,
                    Expect.REJECT,
                    0,
                    () -> withHeaders(
                            new Req(
                                    "POST",
                                    gw + "/v1/messages",
                                    bearer(fx.alice.token()),
                                    utf8("{"),
                                    "application/json",
                                    false,
                                    List.of()),
                            "Accept",
                            accept),
                    null));
        }
        cases.add(new HttpCase(
                "OPTIONS /v1/messages",
                "OPTIONS",
                Expect.EITHER,
                0,
                () -> plain("OPTIONS", gw + "/v1/messages"),
                null));

        for (String base : List.of(api.gateway, api.sync)) {
            String endpoint = "GET / (" + (base.equals(api.gateway) ? "gateway" : "sync-api") + ")";
            Map<String, Supplier<Req>> requests = new LinkedHashMap<>();
            requests.put("hostile query", () -> plain("GET", base + "/?q=" + encode("' OR 1=1 --") + "&x=%00"));
            requests.put("query of 4,000 characters", () -> plain("GET", base + "/?q=" + "q".repeat(4000)));
            requests.put(
                    "Accept: application/xml",
                    () -> withHeaders(plain("GET", base + "/"), "Accept", "application/xml"));
            requests.put("Accept: garbage", () -> withHeaders(plain("GET", base + "/"), "Accept", ";;;/;q=x"));
            requests.put(
                    "Accept-Charset: bogus",
                    () -> withHeaders(plain("GET", base + "/"), "Accept-Charset", "bogus-charset"));
            requests.put("Range: bytes=999999-", () -> withHeaders(plain("GET", base + "/"), "Range", "bytes=999999-"));
            requests.put(
                    "malformed JSON body on GET",
                    () -> new Req("GET", base + "/", null, utf8("{\"a\":"), "application/json", false, List.of()));
            requests.put("HEAD", () -> plain("HEAD", base + "/"));
            requests.put("double slash", () -> plain("GET", base + "//"));
            for (Map.Entry<String, Supplier<Req>> request : requests.entrySet()) {
                cases.add(new HttpCase(endpoint, request.getKey(), Expect.EITHER, 0, request.getValue(), null));
            }
            cases.add(new HttpCase(
                    endpoint,
                    "body of 200 KB on GET",
                    Expect.REJECT,
                    413,
                    () -> new Req(
                            "GET", base + "/", null, utf8("x".repeat(200_000)), "application/json", false, List.of()),
                    null));
            cases.add(new HttpCase(
                    endpoint, "/index.html", Expect.REJECT, 0, () -> plain("GET", base + "/index.html"), null));
            cases.add(new HttpCase(
                    endpoint,
                    "encoded traversal /%2e%2e/%2e%2e/etc/passwd",
                    Expect.REJECT,
                    0,
                    () -> plain("GET", base + "/%2e%2e/%2e%2e/etc/passwd"),
                    null));
            cases.add(new HttpCase(endpoint, "/..;/", Expect.REJECT, 0, () -> plain("GET", base + "/..;/"), null));
        }

        Map<String, Function<String, Req>> signOuts = new LinkedHashMap<>();
        signOuts.put(
                "with a malformed JSON body",
                token -> new Req(
                        "DELETE",
                        gw + "/v1/sessions",
                        bearer(token),
                        utf8("{\"all\": tru"),
                        "application/json",
                        false,
                        List.of()));
        signOuts.put(
                "with a hostile query",
                token -> new Req(
                        "DELETE",
                        gw + "/v1/sessions?all=true&userId=" + encode("' OR 1=1 --"),
                        bearer(token),
                        null,
                        null,
                        false,
                        List.of()));
        signOuts.put(
                "with an XML body",
                token -> new Req(
                        "DELETE",
                        gw + "/v1/sessions",
                        bearer(token),
                        utf8("<all/>"),
                        "application/xml",
                        false,
                        List.of()));
        signOuts.forEach((label, request) -> {
            String[] token = new String[1];
            cases.add(new HttpCase(
                    "DELETE /v1/sessions",
                    label,
                    Expect.EITHER,
                    0,
                    () -> {
                        token[0] = api.device(fx.jo.userId(), "out" + SEQUENCE.incrementAndGet())
                                .token();
                        return request.apply(token[0]);
                    },
                    answer -> {
                        assertThat(answer.status()).isEqualTo(204);
                        Answer after = exchange(json("PATCH", gw + "/v1/account", token[0], "{\"displayName\":\"x\"}"));
                        assertThat(after.status())
                                .as("the signed-out token is refused: %s", after.describe())
                                .isEqualTo(401);
                    }));
        });
        cases.add(new HttpCase(
                "DELETE /v1/sessions",
                "with a body of 200 KB",
                Expect.REJECT,
                413,
                () -> new Req(
                        "DELETE",
                        gw + "/v1/sessions",
                        bearer(fx.jo.token()),
                        utf8("x".repeat(200_000)),
                        "application/json",
                        false,
                        List.of()),
                null));
        return cases.stream().map(FuzzIntegrationTests::test);
    }

    @TestFactory
    @Order(6)
    Stream<DynamicTest> requestsTheJdkClientCannotSendAreAnsweredWithProblems() {
        List<RawHttpCase> cases = new ArrayList<>();
        int gw = port(api.gateway);
        int sync = port(api.sync);
        List<String> gina = List.of("Authorization: Bearer " + fx.gina.token());
        List<String> carol = List.of(
                "Authorization: Bearer " + fx.carol.token(), "Content-Type: application/json", "Content-Length: 2");
        cases.add(new RawHttpCase(
                "GET /v1/groups/{groupId}",
                "invalid percent-encoding %zz",
                Expect.REJECT,
                gw,
                "GET /v1/groups/%zz HTTP/1.1",
                gina,
                ""));
        cases.add(new RawHttpCase(
                "GET /v1/groups/{groupId}",
                "truncated percent-encoding %4",
                Expect.REJECT,
                gw,
                "GET /v1/groups/a%4 HTTP/1.1",
                gina,
                ""));
        cases.add(new RawHttpCase(
                "GET /v1/groups/{groupId}",
                "raw characters | { } in the path",
                Expect.REJECT,
                gw,
                "GET /v1/groups/a|b{c} HTTP/1.1",
                gina,
                ""));
        cases.add(new RawHttpCase(
                "GET /v1/groups/{groupId}",
                "raw invalid UTF-8 bytes FF C3 28 in the path",
                Expect.REJECT,
                gw,
                "GET /v1/groups/a\u00ff\u00c3( HTTP/1.1",
                gina,
                ""));
        cases.add(new RawHttpCase(
                "GET /v1/groups/{groupId}",
                "request line over 8 KB",
                Expect.REJECT,
                gw,
                "GET /v1/groups/" + "a".repeat(10_000) + " HTTP/1.1",
                gina,
                ""));
        cases.add(new RawHttpCase(
                "POST /v1/sync",
                "query waitMs=%zz",
                Expect.EITHER,
                sync,
                "POST /v1/sync?waitMs=%zz HTTP/1.1",
                carol,
                "{}"));
        cases.add(new RawHttpCase(
                "POST /v1/sync",
                "query waitMs=5%",
                Expect.EITHER,
                sync,
                "POST /v1/sync?waitMs=5% HTTP/1.1",
                carol,
                "{}"));
        cases.add(new RawHttpCase(
                "POST /v1/sync",
                "header line without a colon",
                Expect.REJECT,
                sync,
                "POST /v1/sync HTTP/1.1",
                List.of(
                        "Authorization: Bearer " + fx.carol.token(),
                        "this is not a header",
                        "Content-Type: application/json",
                        "Content-Length: 2"),
                "{}"));
        cases.add(new RawHttpCase(
                "POST /v1/messages",
                "two different Content-Length headers",
                Expect.REJECT,
                gw,
                "POST /v1/messages HTTP/1.1",
                List.of(
                        "Authorization: Bearer " + fx.gina.token(),
                        "Content-Type: application/json",
                        "Content-Length: 2",
                        "Content-Length: 3"),
                "{}"));
        cases.add(new RawHttpCase(
                "POST /v1/messages",
                "Authorization of 20 KB (over the header limit)",
                Expect.REJECT,
                gw,
                "POST /v1/messages HTTP/1.1",
                List.of(
                        "Authorization: Bearer " + "A".repeat(20_000),
                        "Content-Type: application/json",
                        "Content-Length: 2"),
                "{}"));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.endpoint() + " | " + c.label(), () -> run(c)));
    }

    @TestFactory
    @Order(7)
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
                    run(new HttpCase(
                            "POST /v1/messages",
                            "media content of 498 nested arrays",
                            Expect.EITHER,
                            0,
                            () -> json("POST", api.gateway + "/v1/messages", users[0], body.render()),
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
                    run(new FrameCase(
                            Target.WS,
                            "deep content",
                            "send with media content of 498 nested " + "arrays",
                            Expect.EITHER,
                            body.render(),
                            users[2],
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
                        accepted[0] = exchange(json(
                                                "POST",
                                                api.gateway + "/v1/messages",
                                                users[0],
                                                deepSend.apply("deep-stream", users[1].userId())
                                                        .render()))
                                        .status()
                                == 202;
                    }
                    String recipient = users[1].userId();
                    if (accepted[0]) {
                        await().atMost(DELIVERY)
                                .until(() -> !queryStrings("SELECT message_id FROM inbox WHERE user_id = ?", recipient)
                                        .isEmpty());
                    }
                    run(new FrameCase(
                            Target.STREAM,
                            "deep content",
                            "sync of an inbox holding content of " + "498 nested arrays",
                            Expect.EITHER,
                            "{\"type\":\"sync\"}",
                            users[1],
                            null));
                }));
    }

    @TestFactory
    @Order(8)
    Stream<DynamicTest> gatewaySocketAnswersHostileFramesWithErrorFramesOrAProperClose() {
        return Stream.concat(
                frameCases(Target.WS).map(FuzzIntegrationTests::test),
                rawFrameCases(Target.WS).map(FuzzIntegrationTests::test));
    }

    @TestFactory
    @Order(9)
    Stream<DynamicTest> streamSocketAnswersHostileFramesWithErrorFramesOrAProperClose() {
        return Stream.concat(
                frameCases(Target.STREAM).map(FuzzIntegrationTests::test),
                rawFrameCases(Target.STREAM).map(FuzzIntegrationTests::test));
    }

    @TestFactory
    @Order(10)
    Stream<DynamicTest> socketHandshakesRefuseHostileRequestsWithProblems() {
        List<HandshakeCase> cases = new ArrayList<>();
        for (Target target : Target.values()) {
            String path = target.path;
            String token = target == Target.WS ? fx.amy.token() : fx.ivy.token();
            int port = target.port();
            cases.add(new HandshakeCase(target, "no token", Expect.REJECT, RawWebSocket.upgradeHead(port, path, null)));
            cases.add(new HandshakeCase(
                    target,
                    "Bearer SQL injection",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path, "' OR 1=1 --")));
            cases.add(new HandshakeCase(
                    target,
                    "Bearer forged with alg none",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(
                            port, path, fx.tokens.get("unsigned, alg none").substring(7))));
            cases.add(new HandshakeCase(
                    target,
                    "access_token SQL injection",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path + "?access_token=" + encode("' OR 1=1 --"), null)));
            cases.add(new HandshakeCase(
                    target,
                    "access_token encoded NUL",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path + "?access_token=%00", null)));
            cases.add(new HandshakeCase(
                    target,
                    "access_token of 6,000 characters",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path + "?access_token=" + "t".repeat(6000), null)));
            cases.add(new HandshakeCase(
                    target,
                    "access_token invalid percent-encoding %zz",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path + "?access_token=%zz", null)));
            cases.add(new HandshakeCase(
                    target,
                    "valid Bearer and access_token=%zz",
                    Expect.EITHER,
                    RawWebSocket.upgradeHead(port, path + "?access_token=%zz", token)));
            cases.add(new HandshakeCase(
                    target,
                    "valid access_token twice with garbage",
                    Expect.EITHER,
                    RawWebSocket.upgradeHead(port, path + "?access_token=" + token + "&access_token=x", null)));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, Sec-WebSocket-Version 99",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path, token)
                            .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 99")));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, no Sec-WebSocket-Key",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path, token)
                            .replace("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "")));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, no Upgrade (a plain GET)",
                    Expect.REJECT,
                    "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, Upgrade: h2c",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path, token).replace("Upgrade: websocket", "Upgrade: h2c")));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, POST",
                    Expect.REJECT,
                    RawWebSocket.upgradeHead(port, path, token).replace("GET ", "POST ") + "\r\nContent-Length: 0"));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, Sec-WebSocket-Key 'x'",
                    Expect.EITHER,
                    RawWebSocket.upgradeHead(port, path, token).replace("dGhlIHNhbXBsZSBub25jZQ==", "x")));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, hostile Sec-WebSocket-Protocol",
                    Expect.EITHER,
                    RawWebSocket.upgradeHead(port, path, token, "Sec-WebSocket-Protocol: ' OR 1=1 --, <script>")));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, permessage-deflate window bits 99",
                    Expect.EITHER,
                    RawWebSocket.upgradeHead(
                            port,
                            path,
                            token,
                            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99")));
            cases.add(new HandshakeCase(
                    target,
                    "valid token, unknown extension",
                    Expect.EITHER,
                    RawWebSocket.upgradeHead(port, path, token, "Sec-WebSocket-Extensions: x-evil; a=\"b\"")));
        }
        return cases.stream()
                .map(c -> DynamicTest.dynamicTest(c.target().endpoint + " | handshake " + c.label(), () -> run(c)));
    }

    // ---------------------------------------------------------------- afterwards

    @Test
    @Order(11)
    void normalTrafficStillFlowsAfterTheFuzzing() {
        Api.Session sender = api.newUser("after");
        Api.Session receiver = api.newUser("after");
        Api.Device device = api.deviceOf(receiver);
        device.syncAll();
        String viaRest = api.sendOk(sender, "u:" + receiver.userId(), "after the fuzz, over REST");
        String viaSocket;
        try (Socket socket = Socket.connect(Target.WS.url(), sender.token())) {
            socket.send(Api.json(
                    "type",
                    "send",
                    "clientMsgId",
                    "after-ws",
                    "to",
                    "u:" + receiver.userId(),
                    "kind",
                    "text",
                    "content",
                    "after the fuzz, over the socket"));
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
        try (Socket stream = Socket.connect(Target.STREAM.url(), receiver.token())) {
            stream.send("{\"type\":\"sync\"}");
            JsonNode delta = stream.await(frame -> frame.path("type").asString().equals("delta"), ANSWER);
            assertThat(delta.path("messages")).hasSize(2);
        }
        // the SQL of the hostile strings ran nowhere: the tables are there and the text is stored as it came
        assertThat(queryStrings("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"))
                .map(name -> name.toLowerCase(Locale.ROOT))
                .contains("accounts", "devices", "contacts", "chat_groups", "group_members", "messages", "inbox");
        assertThat(queryStrings(
                        "SELECT display_name FROM accounts WHERE display_name = ?", "\"; DROP TABLE accounts; --"))
                .as("renamed and created with the DROP TABLE string")
                .isNotEmpty();
    }

    // ---------------------------------------------------------------- JSON endpoints and their body cases

    /** What a case may be answered with. */
    enum Expect {
        /** structurally invalid: must be refused with a 4xx */
        REJECT,
        /** hostile but valid: may be accepted (and then must have done exactly what it says) or refused with a 4xx */
        EITHER
    }

    enum Kind {
        STRING,
        CREDENTIAL,
        LIST,
        INTEGER
    }

    /** A field of a JSON body and the rule the protocol gives it. */
    record Field(
            String path,
            Kind kind,
            Predicate<String> valid,
            String prefix,
            boolean nullable,
            long min,
            long max,
            List<Value> strings) {

        static Field string(String path, Predicate<String> valid, boolean nullable) {
            return new Field(path, Kind.STRING, valid, "", nullable, 0, 0, STRINGS);
        }

        static Field string(String path, String prefix, Predicate<String> valid) {
            return new Field(path, Kind.STRING, valid, prefix, false, 0, 0, STRINGS);
        }

        /** A new password: 8-72 bytes of UTF-8; each accepted one costs two bcrypt rounds, so a shorter table. */
        static Field password(String path) {
            return new Field(
                    path,
                    Kind.STRING,
                    password -> password.length() >= 8 && utf8(password).length <= 72,
                    "",
                    false,
                    0,
                    0,
                    PASSWORDS);
        }

        static Field credential(String path) {
            return new Field(path, Kind.CREDENTIAL, value -> false, "", false, 0, 0, List.of());
        }

        /** {@code min} 0: may be empty. */
        static Field list(String path, int min) {
            return new Field(path, Kind.LIST, value -> false, "", false, min, 0, STRINGS);
        }

        static Field integer(String path, long min, long max, boolean nullable) {
            return new Field(path, Kind.INTEGER, value -> false, "", nullable, min, max, List.of());
        }
    }

    /** An endpoint taking a JSON body, a valid body for it, its fields, and how to check an accepted request. */
    record JsonEndpoint(
            String endpoint,
            String variant,
            String method,
            String url,
            Api.Session as,
            Supplier<Body> valid,
            boolean bodyOptional,
            String textField,
            List<Field> fields,
            UnaryOperator<Body> massAssignment,
            BiConsumer<ObjectNode, Answer> verify) {}

    private static List<JsonEndpoint> jsonEndpoints() {
        String gw = api.gateway;
        return List.of(
                new JsonEndpoint(
                        "POST /v1/accounts",
                        "",
                        "POST",
                        gw + "/v1/accounts",
                        null,
                        () -> Body.of(
                                "userId",
                                str(Api.uniqueId("fz")),
                                "password",
                                str(DEFAULT_PASSWORD),
                                "displayName",
                                str("Fuzz")),
                        false,
                        "displayName",
                        List.of(
                                Field.string("userId", id -> USER_ID.matcher(id).matches(), false),
                                Field.password("password"),
                                Field.string("displayName", FuzzIntegrationTests::isName, false)),
                        body -> body.with("kind", str("bridge"))
                                .with("accountVersion", "999")
                                .with("passwordHash", str("$2a$10$abcdefghijklmnopqrstuv")),
                        FuzzIntegrationTests::verifyAccountCreated),
                new JsonEndpoint(
                        "POST /v1/sessions",
                        "",
                        "POST",
                        gw + "/v1/sessions",
                        null,
                        () -> Body.of(
                                "userId",
                                str(fx.jo.userId()),
                                "password",
                                str("password-" + fx.jo.userId()),
                                "deviceId",
                                str("fz" + SEQUENCE.incrementAndGet())),
                        false,
                        "deviceId",
                        List.of(
                                Field.credential("userId"),
                                Field.credential("password"),
                                Field.string(
                                        "deviceId", id -> DEVICE_ID.matcher(id).matches(), false)),
                        body -> body.with("expiresAt", str("2999-01-01T00:00:00Z"))
                                .with("ttl", "999999999")
                                .with("sub", str(fx.gina.userId())),
                        FuzzIntegrationTests::verifyLoggedIn),
                new JsonEndpoint(
                        "PATCH /v1/account",
                        "",
                        "PATCH",
                        gw + "/v1/account",
                        fx.dave,
                        () -> Body.of("displayName", str("Dave")),
                        false,
                        "displayName",
                        List.of(Field.string("displayName", FuzzIntegrationTests::isName, false)),
                        body -> body.with("userId", str(fx.gina.userId())).with("version", "99"),
                        FuzzIntegrationTests::verifyRenamed),
                new JsonEndpoint(
                        "PUT /v1/contacts/{userId}",
                        "",
                        "PUT",
                        gw + "/v1/contacts/" + fx.frank.userId(),
                        fx.erin,
                        () -> Body.of("alias", str("Frank")),
                        true,
                        "alias",
                        List.of(Field.string("alias", alias -> alias.length() <= 128, true)),
                        body -> body.with("deleted", "true")
                                .with("userId", str(fx.gina.userId()))
                                .with("version", "99"),
                        FuzzIntegrationTests::verifyContact),
                new JsonEndpoint(
                        "POST /v1/groups",
                        "",
                        "POST",
                        gw + "/v1/groups",
                        fx.gina,
                        () -> Body.of(
                                "groupId",
                                str(Api.uniqueId("fz")),
                                "name",
                                str("Fuzz"),
                                "members",
                                "[" + str(fx.hank.userId()) + "]"),
                        false,
                        "name",
                        List.of(
                                Field.string(
                                        "groupId", id -> USER_ID.matcher(id).matches(), true),
                                Field.string("name", FuzzIntegrationTests::isName, false),
                                Field.list("members", 0)),
                        body -> body.with("owner", str(fx.hank.userId())).with("membersVersion", "99"),
                        FuzzIntegrationTests::verifyGroupCreated),
                new JsonEndpoint(
                        "POST /v1/groups/{groupId}/members",
                        "",
                        "POST",
                        gw + "/v1/groups/" + fx.groupId + "/members",
                        fx.gina,
                        () -> Body.of("userIds", "[" + str(fx.hank.userId()) + "]"),
                        false,
                        "userIds",
                        List.of(Field.list("userIds", 1)),
                        body -> body.with("groupId", str("other")).with("by", str(fx.hank.userId())),
                        FuzzIntegrationTests::verifyMembersAdded),
                new JsonEndpoint(
                        "POST /v1/messages",
                        "",
                        "POST",
                        gw + "/v1/messages",
                        fx.alice,
                        () -> Body.of(
                                "clientMsgId",
                                str("fz-" + SEQUENCE.incrementAndGet()),
                                "to",
                                str("u:" + fx.bob.userId()),
                                "kind",
                                str("text"),
                                "content",
                                str("fuzz")),
                        false,
                        "content",
                        List.of(
                                Field.string(
                                        "clientMsgId",
                                        id -> CLIENT_MSG_ID.matcher(id).matches(),
                                        false),
                                Field.string(
                                        "to",
                                        "u:",
                                        to -> to.equals("u:" + fx.bob.userId())
                                                || to.startsWith("u:")
                                                        && USER_ID.matcher(to.substring(2))
                                                                .matches()),
                                Field.string("kind", kind -> kind.equals("text"), false),
                                Field.string("content", FuzzIntegrationTests::isText, false)),
                        body -> body.with("from", str(fx.gina.userId()))
                                .with("messageId", str("forged"))
                                .with("conversation", str("g:" + fx.groupId))
                                .with("sentAt", str("1970-01-01T00:00:00Z"))
                                .with("seq", "1"),
                        (sent, answer) -> verifySent(fx.alice, sent, answer)),
                new JsonEndpoint(
                        "POST /v1/messages",
                        "media ",
                        "POST",
                        gw + "/v1/messages",
                        fx.alice,
                        () -> Body.of(
                                "clientMsgId",
                                str("fz-" + SEQUENCE.incrementAndGet()),
                                "to",
                                str("u:" + fx.bob.userId()),
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
                                Field.string("content.url", url -> !url.isBlank() && url.length() <= 2048, false),
                                Field.string("content.mime", mime -> !mime.isBlank() && mime.length() <= 255, false),
                                Field.integer("content.size", 0, Long.MAX_VALUE, false)),
                        null,
                        (sent, answer) -> verifySent(fx.alice, sent, answer)),
                new JsonEndpoint(
                        "POST /v1/sync",
                        "",
                        "POST",
                        api.sync + "/v1/sync",
                        fx.carol,
                        () -> Body.of("limit", "10"),
                        true,
                        "syncKey",
                        List.of(Field.string("syncKey", key -> false, true), Field.integer("limit", 1, 500, true)),
                        body -> body.with("userId", str(fx.gina.userId())).with("deviceId", str("other")),
                        (sent, answer) -> verifySynced(fx.carol, answer)));
    }

    private static Stream<HttpCase> bodyCases(JsonEndpoint e) {
        List<HttpCase> cases = new ArrayList<>();
        if (e.textField() != null) {
            genericCases(e, cases);
        }
        for (Field field : e.fields()) {
            fieldCases(e, field, cases);
        }
        return cases.stream();
    }

    /** Malformed JSON, invalid UTF-8, deep nesting, huge numbers, unknown fields, content types and sizes. */
    private static void genericCases(JsonEndpoint e, List<HttpCase> cases) {
        String key = e.valid().get().firstKey();
        Expect emptyOk = e.bodyOptional() ? Expect.EITHER : Expect.REJECT;
        String k = "{\"" + key + "\":";
        record Malformed(String label, Expect expect, UnaryOperator<String> fromValid) {}
        List<Malformed> malformed = List.of(
                new Malformed("truncated", Expect.REJECT, v -> v.substring(0, v.length() / 2)),
                new Malformed("truncated after a key", Expect.REJECT, v -> k),
                new Malformed("only an opening brace", Expect.REJECT, v -> "{"),
                new Malformed("trailing garbage", Expect.REJECT, v -> v + "garbage"),
                new Malformed("two documents", Expect.REJECT, v -> v + v),
                new Malformed("an extra closing brace", Expect.REJECT, v -> v + "}"),
                new Malformed("NUL bytes after the document", Expect.REJECT, v -> v + "\0\0"),
                new Malformed("block comment", Expect.REJECT, v -> "/* c */" + v),
                new Malformed("line comment", Expect.REJECT, v -> "// c\n" + v),
                new Malformed("single quotes", Expect.REJECT, v -> v.replace('"', '\'')),
                new Malformed("unquoted keys", Expect.REJECT, v -> v.replaceAll("\"([A-Za-z]+)\":", "$1:")),
                new Malformed("trailing comma", Expect.REJECT, v -> v.substring(0, v.length() - 1) + ",}"),
                new Malformed("missing comma", Expect.REJECT, v -> k + "\"a\" \"x\":1}"),
                new Malformed("NaN", Expect.REJECT, v -> k + "NaN}"),
                new Malformed("Infinity", Expect.REJECT, v -> k + "Infinity}"),
                new Malformed("-Infinity", Expect.REJECT, v -> k + "-Infinity}"),
                new Malformed("invalid escape \\q", Expect.REJECT, v -> k + "\"\\q\"}"),
                new Malformed("unescaped control character", Expect.REJECT, v -> k + "\"a\u0001b\"}"),
                new Malformed("hex number", Expect.REJECT, v -> k + "0x10}"),
                new Malformed("leading zeros", Expect.REJECT, v -> k + "007}"),
                new Malformed("an array of the body", Expect.REJECT, v -> "[" + v + "]"),
                new Malformed("a string", Expect.REJECT, v -> "\"" + key + "\""),
                new Malformed("a number", Expect.REJECT, v -> "42"),
                new Malformed("a boolean", Expect.REJECT, v -> "true"),
                new Malformed("empty", emptyOk, v -> ""),
                new Malformed("whitespace", emptyOk, v -> " \r\n\t "),
                new Malformed("null", emptyOk, v -> "null"));
        for (Malformed m : malformed) {
            cases.add(bodyCase(
                    e,
                    m.label(),
                    m.expect(),
                    utf8(m.fromValid().apply(e.valid().get().render())),
                    "application/json",
                    false,
                    m.expect() == Expect.EITHER ? Body.of() : null));
        }
        Body duplicated = e.valid().get();
        String first = duplicated.render();
        cases.add(bodyCase(
                e,
                "duplicate keys",
                Expect.EITHER,
                utf8(first.substring(0, first.length() - 1) + ",\"" + key + "\":" + duplicated.raw(key) + "}"),
                "application/json",
                false,
                duplicated));
        Body bom = e.valid().get();
        cases.add(bodyCase(
                e,
                "UTF-8 byte order mark",
                Expect.EITHER,
                concat(bytes(0xEF, 0xBB, 0xBF), utf8(bom.render())),
                "application/json",
                false,
                bom));
        Body utf16 = e.valid().get();
        cases.add(bodyCase(
                e,
                "encoded in UTF-16",
                Expect.EITHER,
                utf16.render().getBytes(StandardCharsets.UTF_16LE),
                "application/json",
                false,
                utf16));

        // invalid UTF-8, as raw bytes in the body
        for (Map.Entry<String, byte[]> sequence : INVALID_UTF8.entrySet()) {
            Body body = e.valid().get();
            boolean list = e.fields().stream().anyMatch(f -> f.path().equals(e.textField()) && f.kind() == Kind.LIST);
            String marked =
                    body.with(e.textField(), list ? "[\"MARK\"]" : "\"MARK\"").render();
            int at = marked.indexOf("MARK");
            byte[] raw = concat(
                    utf8(marked.substring(0, at) + "a"), sequence.getValue(), utf8("b" + marked.substring(at + 4)));
            cases.add(bodyCase(
                    e,
                    "invalid UTF-8 in " + e.textField() + ": " + sequence.getKey(),
                    Expect.REJECT,
                    raw,
                    "application/json",
                    false,
                    null));
        }
        Body named = e.valid().get();
        String rendered = named.render();
        cases.add(bodyCase(
                e,
                "invalid UTF-8 in a field name",
                Expect.REJECT,
                concat(utf8("{\"a"), bytes(0xFF, 0xFE), utf8("b\":1," + rendered.substring(1))),
                "application/json",
                false,
                null));

        // deep nesting
        cases.add(bodyCase(
                e,
                "5,000 nested arrays, unterminated",
                Expect.REJECT,
                utf8("[".repeat(5000)),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e, "5,000 nested arrays", Expect.REJECT, utf8(nestedArrays(5000)), "application/json", false, null));
        cases.add(bodyCase(
                e, "5,000 nested objects", Expect.REJECT, utf8(nestedObjects(5000)), "application/json", false, null));
        cases.add(bodyCase(
                e,
                "an unknown field of 5,000 nested arrays",
                Expect.REJECT,
                utf8(e.valid().get().with("deep", nestedArrays(5000)).render()),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e,
                "an unknown field of 5,000 nested objects",
                Expect.REJECT,
                utf8(e.valid().get().with("deep", nestedObjects(5000)).render()),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e,
                e.textField() + " of 5,000 nested arrays",
                Expect.REJECT,
                utf8(e.valid().get().with(e.textField(), nestedArrays(5000)).render()),
                "application/json",
                false,
                null));
        Body deepButFine = e.valid().get().with("deep", nestedArrays(400));
        cases.add(bodyCase(
                e,
                "an unknown field of 400 nested arrays",
                Expect.EITHER,
                utf8(deepButFine.render()),
                "application/json",
                false,
                deepButFine));

        // huge numbers and unknown fields, where they do no harm
        for (Value number : List.of(
                new Value("huge exponent", "1e999999"),
                new Value("tiny exponent", "1e-999999"),
                new Value("huge integer", "123456789012345678901234567890"),
                new Value("negative zero", "-0"),
                new Value("1,001 digits", "9".repeat(1001)))) {
            Body body = e.valid().get().with("n", number.value());
            cases.add(bodyCase(
                    e,
                    "an unknown field holding a " + number.label(),
                    Expect.EITHER,
                    utf8(body.render()),
                    "application/json",
                    false,
                    body));
        }
        List<UnaryOperator<Body>> unknowns = new ArrayList<>(List.of(
                body -> body.with("isAdmin", "true").with("role", str("admin")),
                body -> body.with("__proto__", "{\"isAdmin\":true}")
                        .with("constructor", "{\"prototype\":{\"isAdmin\":true}}"),
                body -> body.with("x".repeat(60_000), "1"),
                body -> body.with("pad", str("p".repeat(120_000)))));
        List<String> unknownLabels = new ArrayList<>(List.of(
                "unknown fields isAdmin and role",
                "prototype pollution fields",
                "an unknown field with a name of 60,000 characters",
                "an unknown field of 120,000 characters (under the body limit)"));
        if (e.massAssignment() != null) {
            unknowns.add(e.massAssignment());
            unknownLabels.add("server-owned fields (mass assignment)");
        }
        for (int i = 0; i < unknowns.size(); i++) {
            Body body = unknowns.get(i).apply(e.valid().get());
            cases.add(bodyCase(
                    e, unknownLabels.get(i), Expect.EITHER, utf8(body.render()), "application/json", false, body));
        }

        // content types
        Map<String, Expect> contentTypes = new LinkedHashMap<>();
        contentTypes.put(null, Expect.REJECT);
        contentTypes.put("text/plain", Expect.REJECT);
        contentTypes.put("application/x-www-form-urlencoded", Expect.REJECT);
        contentTypes.put("multipart/form-data; boundary=x", Expect.REJECT);
        contentTypes.put("application/xml", Expect.REJECT);
        contentTypes.put("application/json; charset=bogus", Expect.REJECT);
        contentTypes.put("application/json; charset=UTF-16", Expect.EITHER); // Jackson detects the UTF-8 itself
        contentTypes.put("*/*", Expect.REJECT);
        contentTypes.put("application/json;;;", Expect.EITHER);
        contentTypes.put("application/problem+json", Expect.EITHER);
        contentTypes.put("APPLICATION/JSON", Expect.EITHER);
        contentTypes.put("application/json; charset=ISO-8859-1", Expect.EITHER);
        contentTypes.put("application/vnd.courier+json", Expect.EITHER);
        contentTypes.forEach((type, expect) -> {
            Body body = e.valid().get();
            cases.add(bodyCase(
                    e,
                    "Content-Type " + (type == null ? "missing" : type),
                    expect,
                    utf8(body.render()),
                    type,
                    false,
                    body));
        });

        // sizes
        cases.add(bodyCase(
                e,
                "body of 200 KB with its length declared",
                Expect.REJECT,
                413,
                utf8(e.valid().get().with("pad", str("p".repeat(200_000))).render()),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e,
                "body of 200 KB chunked, without a length",
                Expect.REJECT,
                413,
                utf8(e.valid().get().with("pad", str("p".repeat(200_000))).render()),
                "application/json",
                true,
                null));
    }

    /** Wrong types and hostile strings for one field. */
    private static void fieldCases(JsonEndpoint e, Field field, List<HttpCase> cases) {
        String name = e.variant() + field.path();
        switch (field.kind()) {
            case STRING -> {
                for (Value wrong : WRONG_TYPES) {
                    Expect expect = wrong.value().equals("null") && field.nullable() ? Expect.EITHER : Expect.REJECT;
                    Body body = e.valid().get().with(field.path(), wrong.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + wrong.label() + " " + abbreviate(wrong.value(), 20),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
                for (Value hostile : field.strings()) {
                    String value = field.prefix() + hostile.value();
                    Expect expect = field.valid().test(value) ? Expect.EITHER : Expect.REJECT;
                    Body body = e.valid().get().with(field.path(), str(value));
                    cases.add(bodyCase(
                            e,
                            name + " = " + hostile.label(),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
            }
            case CREDENTIAL -> {
                // every hostile credential that parses is a failed login: few, within the limits of 10 per user and
                // 50 per address (429 rate_limited would be a fine answer too)
                for (Value wrong : List.of(
                        new Value("empty array", "[]"),
                        new Value("object", "{\"$ne\":null}"),
                        new Value("null", "null"))) {
                    Body body = e.valid().get().with(field.path(), wrong.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + wrong.label(),
                            Expect.REJECT,
                            utf8(body.render()),
                            "application/json",
                            false,
                            null));
                }
                List<Value> hostile = field.path().equals("userId")
                        ? List.of(
                                new Value("SQL injection", "' OR 1=1 --"),
                                new Value("a number", "42"),
                                new Value(
                                        "the upper-case id of a user",
                                        fx.jo.userId().toUpperCase(Locale.ROOT)),
                                new Value("a user id with a NUL", fx.jo.userId() + "\u0000"),
                                new Value(
                                        "a user id with a Cyrillic letter",
                                        "\u0430" + fx.jo.userId().substring(1)),
                                new Value("a user id of 10,000 characters", "u".repeat(10_000)))
                        : List.of(new Value("SQL injection", "' OR '1'='1"), new Value("a boolean", "true"));
                for (Value value : hostile) {
                    String raw = value.label().startsWith("a number")
                                    || value.label().startsWith("a boolean")
                            ? value.value()
                            : str(value.value());
                    Body body = e.valid().get().with(field.path(), raw);
                    cases.add(bodyCase(
                            e,
                            name + " = " + value.label() + " (a failed login)",
                            Expect.REJECT,
                            utf8(body.render()),
                            "application/json",
                            false,
                            null));
                }
            }
            case LIST -> {
                for (Value wrong : WRONG_LIST_TYPES) {
                    Body body = e.valid().get().with(field.path(), wrong.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + wrong.label() + " " + abbreviate(wrong.value(), 20),
                            Expect.REJECT,
                            utf8(body.render()),
                            "application/json",
                            false,
                            null));
                }
                Body empty = e.valid().get().with(field.path(), "[]");
                cases.add(bodyCase(
                        e,
                        name + " = []",
                        field.min() == 0 ? Expect.EITHER : Expect.REJECT,
                        utf8(empty.render()),
                        "application/json",
                        false,
                        empty));
                Body twice = e.valid()
                        .get()
                        .with(field.path(), "[" + str(fx.hank.userId()) + "," + str(fx.hank.userId()) + "]");
                cases.add(bodyCase(
                        e,
                        name + " = the same user twice",
                        Expect.EITHER,
                        utf8(twice.render()),
                        "application/json",
                        false,
                        twice));
                StringBuilder many = new StringBuilder("[");
                for (int i = 0; i <= 10_000; i++) {
                    many.append(i == 0 ? "" : ",").append(str(fx.hank.userId()));
                }
                Body tooMany =
                        e.valid().get().with(field.path(), many.append(']').toString());
                cases.add(bodyCase(
                        e,
                        name + " = 10,001 entries",
                        Expect.REJECT,
                        utf8(tooMany.render()),
                        "application/json",
                        false,
                        null));
                for (Value hostile : STRINGS) {
                    Expect expect = USER_ID.matcher(hostile.value()).matches() ? Expect.EITHER : Expect.REJECT;
                    Body body = e.valid().get().with(field.path(), "[" + str(hostile.value()) + "]");
                    cases.add(bodyCase(
                            e,
                            name + "[0] = " + hostile.label(),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
            }
            case INTEGER -> {
                for (Value value : INTEGERS) {
                    Expect expect = integerExpectation(value.value(), field);
                    Body body = e.valid().get().with(field.path(), value.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + value.label() + " " + abbreviate(value.value(), 24),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
            }
        }
    }

    /** An integer literal in range may be accepted, so may an integral float; anything else must be refused. */
    private static Expect integerExpectation(String raw, Field field) {
        if (raw.equals("null")) {
            return field.nullable() ? Expect.EITHER : Expect.REJECT;
        }
        if (!raw.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?") || raw.length() > 100) {
            return Expect.REJECT;
        }
        BigDecimal value = new BigDecimal(raw);
        boolean integral = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
        boolean inRange = value.compareTo(BigDecimal.valueOf(field.min())) >= 0
                && value.compareTo(BigDecimal.valueOf(field.max())) <= 0;
        return integral && inRange ? Expect.EITHER : Expect.REJECT;
    }

    private static HttpCase bodyCase(
            JsonEndpoint e, String label, Expect expect, byte[] body, String contentType, boolean chunked, Body sent) {
        return bodyCase(e, label, expect, 0, body, contentType, chunked, sent);
    }

    private static HttpCase bodyCase(
            JsonEndpoint e,
            String label,
            Expect expect,
            int status,
            byte[] body,
            String contentType,
            boolean chunked,
            Body sent) {
        Consumer<Answer> verify = sent == null ? null : answer -> e.verify().accept(sent.parsed(), answer);
        return new HttpCase(
                e.endpoint(),
                label,
                expect,
                status,
                () -> new Req(
                        e.method(),
                        e.url(),
                        e.as() == null ? null : bearer(e.as().token()),
                        body,
                        contentType,
                        chunked,
                        List.of()),
                verify);
    }

    // ---------------------------------------------------------------- checks of accepted requests

    /** The account exists as sent; when the password is the hostile part, it logs in with exactly that password. */
    private static void verifyAccountCreated(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(201);
        String userId = sent.path("userId").asString();
        String displayName = sent.path("displayName").asString();
        assertThat(answer.json().path("userId").asString()).isEqualTo(userId);
        assertThat(visible(answer.json().path("displayName").asString())).isEqualTo(visible(displayName));
        assertThat(queryStrings("SELECT display_name FROM accounts WHERE user_id = ?", userId).stream()
                        .map(Hostile::visible)
                        .toList())
                .as("the display name is stored verbatim")
                .containsExactly(visible(displayName));
        if (!sent.path("password").asString().equals(DEFAULT_PASSWORD)) {
            Answer login = exchange(json(
                    "POST",
                    api.gateway + "/v1/sessions",
                    (String) null,
                    Api.json("userId", userId, "password", sent.path("password").asString(), "deviceId", "check")));
            assertThat(login.status())
                    .as("the password works as given: %s", login.describe())
                    .isEqualTo(200);
        }
    }

    private static void verifyLoggedIn(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        Instant expiresAt = Instant.parse(answer.json().path("expiresAt").asString());
        assertThat(expiresAt)
                .as("the usual lifetime, whatever the body said")
                .isBefore(Instant.now().plus(Duration.ofHours(25)));
        Answer synced = exchange(
                json("POST", api.sync + "/v1/sync", answer.json().path("token").asString(), "{}"));
        assertThat(synced.status()).as(synced.describe()).isEqualTo(200);
        assertThat(synced.json().path("account").path("userId").asString()).isEqualTo(fx.jo.userId());
    }

    private static void verifyRenamed(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("userId").asString()).isEqualTo(fx.dave.userId());
        assertThat(visible(answer.json().path("displayName").asString()))
                .isEqualTo(visible(sent.path("displayName").asString()));
        Answer synced = exchange(json("POST", api.sync + "/v1/sync", fx.dave, "{}"));
        assertThat(synced.status()).as(synced.describe()).isEqualTo(200);
        assertThat(visible(synced.json().path("account").path("displayName").asString()))
                .as("the display name is stored verbatim")
                .isEqualTo(visible(sent.path("displayName").asString()));
    }

    private static void verifyContact(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        String alias = sent == null
                        || sent.path("alias").isNull()
                        || sent.path("alias").isMissingNode()
                ? null
                : sent.path("alias").asString();
        assertThat(answer.json().path("userId").asString()).isEqualTo(fx.frank.userId());
        assertThat(answer.json().path("deleted").asBoolean()).isFalse();
        assertThat(visible(
                        answer.json().path("alias").isNull()
                                ? null
                                : answer.json().path("alias").asString()))
                .isEqualTo(visible(alias));
        Answer synced = exchange(json("POST", api.sync + "/v1/sync", fx.erin, "{}"));
        assertThat(synced.status()).as(synced.describe()).isEqualTo(200);
        JsonNode contact = null;
        for (JsonNode c : synced.json().path("contacts")) {
            if (c.path("userId").asString().equals(fx.frank.userId())) {
                contact = c;
            }
        }
        assertThat(contact).as("frank is erin's contact: %s", synced.json()).isNotNull();
        assertThat(visible(
                        contact.path("alias").isNull()
                                ? null
                                : contact.path("alias").asString()))
                .as("the alias is stored verbatim")
                .isEqualTo(visible(alias));
    }

    private static void verifyGroupCreated(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(201);
        String groupId = answer.json().path("groupId").asString();
        if (sent.path("groupId").isString()) {
            assertThat(groupId).isEqualTo(sent.path("groupId").asString());
        }
        assertThat(answer.json().path("owner").asString())
                .as("the caller owns it")
                .isEqualTo(fx.gina.userId());
        assertThat(visible(answer.json().path("name").asString()))
                .isEqualTo(visible(sent.path("name").asString()));
        TreeSet<String> members = new TreeSet<>(List.of(fx.gina.userId()));
        sent.path("members").forEach(m -> members.add(m.asString()));
        assertThat(answer.json()
                        .path("members")
                        .valueStream()
                        .map(JsonNode::asString)
                        .toList())
                .containsExactlyElementsOf(members);
        Answer group = exchange(json("GET", api.gateway + "/v1/groups/" + groupId, fx.gina, null));
        assertThat(group.status()).as(group.describe()).isEqualTo(200);
        assertThat(visible(group.json().path("name").asString()))
                .as("the name is stored verbatim")
                .isEqualTo(visible(sent.path("name").asString()));
        assertThat(group.json().path("owner").asString()).isEqualTo(fx.gina.userId());
    }

    private static void verifyMembersAdded(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().path("groupId").asString()).isEqualTo(fx.groupId);
        TreeSet<String> userIds = new TreeSet<>();
        sent.path("userIds").forEach(u -> userIds.add(u.asString()));
        assertThat(answer.json()
                        .path("userIds")
                        .valueStream()
                        .map(JsonNode::asString)
                        .toList())
                .containsExactlyElementsOf(userIds);
    }

    private static void verifySynced(Api.Session session, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("syncKey").asString()).isNotBlank();
        assertThat(answer.json().path("account").path("userId").asString()).isEqualTo(session.userId());
    }

    /** An accepted send to bob reaches bob as it was sent. */
    private static void verifySent(Api.Session sender, ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().path("clientMsgId").asString())
                .isEqualTo(sent.path("clientMsgId").asString());
        assertDelivered(fx.bobs, sender, sent, answer.json().path("messageId").asString());
    }

    private static void assertDelivered(Api.Device device, Api.Session sender, ObjectNode sent, String messageId) {
        assertThat(messageId).isNotBlank();
        if (!sent.path("to").asString().equals("u:" + device.session.userId())) {
            return; // accepted for someone else (a user whose id a hostile string happens to be)
        }
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

    // ---------------------------------------------------------------- tokens and path segments

    record AuthenticatedCall(String endpoint, String method, String url, byte[] body) {}

    private static List<AuthenticatedCall> authenticatedCalls() {
        String gw = api.gateway;
        String hank = fx.hank.userId();
        return List.of(
                new AuthenticatedCall("DELETE /v1/sessions", "DELETE", gw + "/v1/sessions", null),
                new AuthenticatedCall(
                        "PATCH /v1/account", "PATCH", gw + "/v1/account", utf8("{\"displayName\":\"X\"}")),
                new AuthenticatedCall("PUT /v1/contacts/{userId}", "PUT", gw + "/v1/contacts/" + hank, utf8("{}")),
                new AuthenticatedCall("DELETE /v1/contacts/{userId}", "DELETE", gw + "/v1/contacts/" + hank, null),
                new AuthenticatedCall(
                        "POST /v1/groups", "POST", gw + "/v1/groups", utf8("{\"name\":\"G\",\"members\":[]}")),
                new AuthenticatedCall("GET /v1/groups/{groupId}", "GET", gw + "/v1/groups/" + fx.groupId, null),
                new AuthenticatedCall(
                        "POST /v1/groups/{groupId}/members",
                        "POST",
                        gw + "/v1/groups/" + fx.groupId + "/members",
                        utf8("{\"userIds\":[\"" + hank + "\"]}")),
                new AuthenticatedCall(
                        "DELETE /v1/groups/{groupId}/members/{userId}",
                        "DELETE",
                        gw + "/v1/groups/" + fx.groupId + "/members/" + hank,
                        null),
                new AuthenticatedCall(
                        "POST /v1/messages",
                        "POST",
                        gw + "/v1/messages",
                        utf8(Api.json("clientMsgId", "t1", "to", "u:" + hank, "kind", "text", "content", "x"))),
                new AuthenticatedCall("POST /v1/sync", "POST", api.sync + "/v1/sync", utf8("{}")),
                new AuthenticatedCall(
                        "POST /v1/sync (long poll)", "POST", api.sync + "/v1/sync?waitMs=100", utf8("{}")));
    }

    /** {@code Authorization} header values that must not authenticate anyone (label to value; null: no header). */
    private static Map<String, String> hostileAuthorizations(String victim) {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("no Authorization", null);
        tokens.put("empty Bearer", "Bearer ");
        tokens.put("Basic credentials", "Basic " + Base64.getEncoder().encodeToString(utf8(victim + ":password")));
        tokens.put("SQL injection", "Bearer ' OR 1=1 --");
        tokens.put("three empty parts", "Bearer ..");
        tokens.put("a.b.c", "Bearer a.b.c");
        tokens.put("6,000 characters", "Bearer " + "A".repeat(6000));
        tokens.put(
                "unsigned, alg none",
                "Bearer " + b64("{\"alg\":\"none\"}") + "."
                        + b64("{\"iss\":\"courier\"," + "\"sub\":\"" + victim
                                + "\",\"did\":\"phone\",\"exp\":9999999999}")
                        + ".");
        tokens.put(
                "signed, SQL injection subject",
                "Bearer "
                        + signed(
                                AuthProperties.DEVELOPMENT_SECRET,
                                claims("' OR 1=1 --", "phone").build()));
        tokens.put(
                "signed, unknown user",
                "Bearer "
                        + signed(
                                AuthProperties.DEVELOPMENT_SECRET,
                                claims("nobody-" + victim, "phone").build()));
        tokens.put(
                "signed, a device never logged in",
                "Bearer "
                        + signed(
                                AuthProperties.DEVELOPMENT_SECRET,
                                claims(victim, "ghost").build()));
        tokens.put(
                "signed, expiry as text",
                "Bearer "
                        + signed(
                                AuthProperties.DEVELOPMENT_SECRET,
                                claims(victim, "phone").claim("exp", "never").build()));
        tokens.put(
                "signed, device id as an object",
                "Bearer "
                        + signed(
                                AuthProperties.DEVELOPMENT_SECRET,
                                claims(victim, "phone")
                                        .claim("did", Map.of("$ne", ""))
                                        .build()));
        tokens.put(
                "signed, expired",
                "Bearer "
                        + signed(
                                AuthProperties.DEVELOPMENT_SECRET,
                                claims(victim, "phone")
                                        .expirationTime(Date.from(Instant.now().minusSeconds(60)))
                                        .build()));
        tokens.put(
                "signed with another secret",
                "Bearer "
                        + signed(
                                "another-secret-that-is-long-enough-32b",
                                claims(victim, "phone").build()));
        return tokens;
    }

    private static JWTClaimsSet.Builder claims(String subject, String deviceId) {
        return new JWTClaimsSet.Builder()
                .issuer("courier")
                .subject(subject)
                .claim("did", deviceId)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
    }

    private static String signed(String secret, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(utf8(secret)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(json));
    }

    // ---------------------------------------------------------------- frames

    /** The two WebSockets. */
    enum Target {
        WS("WS /v1/ws", "/v1/ws"),
        STREAM("WS /v1/stream", "/v1/stream");

        final String endpoint;

        final String path;

        Target(String endpoint, String path) {
            this.endpoint = endpoint;
            this.path = path;
        }

        String url() {
            return (this == WS ? api.gateway : api.sync).replace("http://", "ws://") + path;
        }

        int port() {
            return FuzzIntegrationTests.port(this == WS ? api.gateway : api.sync);
        }

        Api.Session user() {
            return this == WS ? fx.amy : fx.ivy;
        }
    }

    /** A text frame, sent on the socket kept for its class of input; {@code verify} checks an accepting answer. */
    record FrameCase(
            Target target,
            String kind,
            String label,
            Expect expect,
            String text,
            Api.Session as,
            Consumer<JsonNode> verify) {

        FrameCase(Target target, String kind, String label, Expect expect, String text, Consumer<JsonNode> verify) {
            this(target, kind, label, expect, text, null, verify);
        }

        Api.Session user() {
            return as != null ? as : target.user();
        }
    }

    private static Stream<FrameCase> frameCases(Target target) {
        List<FrameCase> cases = new ArrayList<>();
        Supplier<Body> valid = target == Target.WS
                ? () -> Body.of(
                        "type",
                        str("send"),
                        "clientMsgId",
                        str("ws-" + SEQUENCE.incrementAndGet()),
                        "to",
                        str("u:" + fx.bob.userId()),
                        "kind",
                        str("text"),
                        "content",
                        str("fuzz"))
                : () -> Body.of("type", str("sync"), "limit", "10");
        BiConsumer<JsonNode, ObjectNode> accepted = target == Target.WS
                ? (answer, sent) -> assertDelivered(
                        fx.bobs, fx.amy, sent, answer.path("messageId").asString())
                : (answer, sent) -> assertThat(
                                answer.path("account").path("userId").asString())
                        .isEqualTo(fx.ivy.userId());
        String ping = "{\"type\":\"ping\"}";

        Map<String, String> malformed = new LinkedHashMap<>();
        malformed.put("truncated", ping.substring(0, 9));
        malformed.put("no closing brace", "{\"type\":\"ping\"");
        malformed.put("trailing garbage", ping + "garbage");
        malformed.put("two documents", ping + ping);
        malformed.put("block comment", "/* c */" + ping);
        malformed.put("line comment", "// c\n" + ping);
        malformed.put("single quotes", "{'type':'ping'}");
        malformed.put("unquoted keys", "{type:\"ping\"}");
        malformed.put("trailing comma", "{\"type\":\"ping\",}");
        malformed.put("NaN", "{\"type\":\"ping\",\"n\":NaN}");
        malformed.put("Infinity", "{\"type\":\"ping\",\"n\":Infinity}");
        malformed.put("invalid escape", "{\"type\":\"p\\qing\"}");
        malformed.put("unescaped control character", "{\"type\":\"ping\",\"x\":\"a\u0001b\"}");
        malformed.put("empty", "");
        malformed.put("whitespace", " \r\n\t ");
        malformed.put("NUL characters", "\u0000\u0000");
        malformed.forEach(
                (label, text) -> cases.add(new FrameCase(target, "malformed JSON", label, Expect.REJECT, text, null)));

        Map<String, String> notObjects = new LinkedHashMap<>();
        notObjects.put("an array", "[]");
        notObjects.put("an array of a ping", "[" + ping + "]");
        notObjects.put("a string", "\"ping\"");
        notObjects.put("a number", "42");
        notObjects.put("a huge number", "1e999999");
        notObjects.put("a boolean", "true");
        notObjects.put("null", "null");
        notObjects.forEach(
                (label, text) -> cases.add(new FrameCase(target, "not an object", label, Expect.REJECT, text, null)));

        Map<String, String> types = new LinkedHashMap<>();
        types.put("missing", "{}");
        types.put("number", "{\"type\":42}");
        types.put("boolean", "{\"type\":true}");
        types.put("null", "{\"type\":null}");
        types.put("array", "{\"type\":[\"ping\"]}");
        types.put("object", "{\"type\":{\"ping\":1}}");
        types.put("empty", "{\"type\":\"\"}");
        types.put("upper case", "{\"type\":\"PING\"}");
        types.put("padded", "{\"type\":\" ping \"}");
        types.put("with NUL", "{\"type\":\"ping\\u0000\"}");
        types.put("lone surrogate", "{\"type\":\"\\ud800\"}");
        types.put("SQL injection", "{\"type\":\"' OR 1=1 --\"}");
        types.put("script tag", "{\"type\":\"<script>alert(1)</script>\"}");
        types.put("JNDI lookup", "{\"type\":\"${jndi:ldap://x/a}\"}");
        types.put("__proto__", "{\"type\":\"__proto__\"}");
        types.put("pong", "{\"type\":\"pong\"}");
        types.put("error", "{\"type\":\"error\",\"status\":500}");
        types.put(
                "the other socket's",
                target == Target.WS
                        ? "{\"type\":\"sync\"}"
                        : "{\"type\":\"send\",\"clientMsgId\":\"x\",\"to\":\"u:x\",\"kind\":\"text\",\"content\":\"x\"}");
        types.put(
                "a server frame's",
                target == Target.WS
                        ? "{\"type\":\"ack\",\"clientMsgId\":\"x\"}"
                        : "{\"type\":\"delta\",\"messages\":[]}");
        types.put("60,000 characters", "{\"type\":\"" + "t".repeat(60_000) + "\"}");
        types.put("unknown with a lone-surrogate clientMsgId", "{\"type\":\"edit\",\"clientMsgId\":\"a\\ud800\"}");
        types.forEach(
                (label, text) -> cases.add(new FrameCase(target, "type", "type " + label, Expect.REJECT, text, null)));

        cases.add(
                new FrameCase(target, "deep nesting", "5,000 nested arrays", Expect.REJECT, nestedArrays(5000), null));
        cases.add(new FrameCase(
                target, "deep nesting", "5,000 nested objects", Expect.REJECT, nestedObjects(5000), null));
        cases.add(new FrameCase(
                target,
                "deep nesting",
                "ping with 5,000 nested arrays",
                Expect.REJECT,
                "{\"type\":\"ping\",\"x\":" + nestedArrays(5000) + "}",
                null));
        cases.add(new FrameCase(
                target,
                "deep nesting",
                "ping with 5,000 nested objects",
                Expect.REJECT,
                "{\"type\":\"ping\",\"x\":" + nestedObjects(5000) + "}",
                null));
        cases.add(new FrameCase(
                target,
                "deep nesting",
                "ping with 400 nested arrays",
                Expect.EITHER,
                "{\"type\":\"ping\",\"x\":" + nestedArrays(400) + "}",
                null));

        Map<String, String> harmless = new LinkedHashMap<>();
        harmless.put("ping with a huge exponent", "{\"type\":\"ping\",\"n\":1e999999}");
        harmless.put("ping with 1,001 digits", "{\"type\":\"ping\",\"n\":" + "9".repeat(1001) + "}");
        harmless.put("ping with negative zero", "{\"type\":\"ping\",\"n\":-0}");
        harmless.put("ping with unknown fields", "{\"type\":\"ping\",\"isAdmin\":true,\"__proto__\":{\"a\":1}}");
        harmless.put(
                "ping with a field name of 60,000 characters", "{\"type\":\"ping\",\"" + "n".repeat(60_000) + "\":1}");
        harmless.put("ping with 60 KB of padding", "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(60 * 1024) + "\"}");
        harmless.put("duplicate type, ping last", "{\"type\":\"nope\",\"type\":\"ping\"}");
        harmless.put("ping with a byte order mark", "\uFEFF" + ping);
        harmless.forEach(
                (label, text) -> cases.add(new FrameCase(target, "harmless extras", label, Expect.EITHER, text, null)));

        List<Field> fields = target == Target.WS
                ? List.of(
                        Field.string(
                                "clientMsgId", id -> CLIENT_MSG_ID.matcher(id).matches(), false),
                        Field.string(
                                "to",
                                "u:",
                                to -> to.equals("u:" + fx.bob.userId())
                                        || to.startsWith("u:")
                                                && USER_ID.matcher(to.substring(2))
                                                        .matches()),
                        Field.string("kind", kind -> kind.equals("text"), false),
                        Field.string("content", FuzzIntegrationTests::isText, false))
                : List.of(Field.string("syncKey", key -> false, true), Field.integer("limit", 1, 500, true));
        for (Field field : fields) {
            fieldFrames(target, field, valid, accepted, cases);
        }
        if (target == Target.WS) {
            Supplier<Body> media = () -> valid.get()
                    .with("kind", str("image"))
                    .with(
                            "content",
                            Body.of(
                                    "url",
                                    str("https://media.example/a.png"),
                                    "mime",
                                    str("image/png"),
                                    "size",
                                    "1024"));
            // the media reference's strings are stored like those of POST /v1/messages, checked there
            fieldFrames(target, Field.integer("content.size", 0, Long.MAX_VALUE, false), media, accepted, cases);
            Map<String, UnaryOperator<Body>> assignments = new LinkedHashMap<>();
            assignments.put(
                    "send with server-owned fields",
                    body -> body.with("from", str(fx.gina.userId()))
                            .with("messageId", str("forged"))
                            .with("sentAt", str("1970-01-01T00:00:00Z")));
            assignments.put(
                    "send with 400 nested arrays in an unknown field", body -> body.with("x", nestedArrays(400)));
            assignments.forEach((label, change) -> {
                Body body = change.apply(valid.get());
                cases.add(new FrameCase(
                        target, "harmless extras", label, Expect.EITHER, body.render(), verifyWith(accepted, body)));
            });
            cases.add(new FrameCase(
                    target,
                    "field content",
                    "send with content of 60 KB",
                    Expect.REJECT,
                    valid.get().with("content", str("c".repeat(60 * 1024))).render(),
                    null));
        } else {
            Body other = Body.of("type", str("sync"), "syncKey", str(otherUsersKey()));
            cases.add(new FrameCase(
                    target, "field syncKey", "syncKey of another user", Expect.REJECT, other.render(), null));
        }
        return cases.stream();
    }

    private static void fieldFrames(
            Target target,
            Field field,
            Supplier<Body> valid,
            BiConsumer<JsonNode, ObjectNode> accepted,
            List<FrameCase> cases) {
        String kind = "field " + field.path();
        if (field.kind() == Kind.STRING) {
            for (Value wrong : WRONG_TYPES) {
                Expect expect = wrong.value().equals("null") && field.nullable() ? Expect.EITHER : Expect.REJECT;
                Body body = valid.get().with(field.path(), wrong.value());
                cases.add(new FrameCase(
                        target,
                        kind,
                        field.path() + " = " + wrong.label() + " " + abbreviate(wrong.value(), 20),
                        expect,
                        body.render(),
                        verifyWith(accepted, body)));
            }
            for (Value hostile : STRINGS) {
                String value = field.prefix() + hostile.value();
                Expect expect = field.valid().test(value) ? Expect.EITHER : Expect.REJECT;
                Body body = valid.get().with(field.path(), str(value));
                cases.add(new FrameCase(
                        target,
                        kind,
                        field.path() + " = " + hostile.label(),
                        expect,
                        body.render(),
                        verifyWith(accepted, body)));
            }
        } else {
            for (Value value : INTEGERS) {
                Body body = valid.get().with(field.path(), value.value());
                cases.add(new FrameCase(
                        target,
                        kind,
                        field.path() + " = " + value.label() + " " + abbreviate(value.value(), 24),
                        integerExpectation(value.value(), field),
                        body.render(),
                        verifyWith(accepted, body)));
            }
        }
    }

    private static Consumer<JsonNode> verifyWith(BiConsumer<JsonNode, ObjectNode> accepted, Body body) {
        return answer -> accepted.accept(answer, body.parsed());
    }

    private static String otherUsersKey() {
        Answer answer = exchange(json("POST", api.sync + "/v1/sync", fx.carol, "{}"));
        return answer.json().path("syncKey").asString();
    }

    /** Frames only a raw client sends: each on a connection of its own, since the server may close it. */
    record RawFrameCase(Target target, String label, RawSend send) {}

    @FunctionalInterface
    interface RawSend {
        void send(RawWebSocket socket) throws IOException;
    }

    private static Stream<RawFrameCase> rawFrameCases(Target target) {
        List<RawFrameCase> cases = new ArrayList<>();
        byte[] ping = utf8("{\"type\":\"ping\"}");
        cases.add(
                new RawFrameCase(target, "binary frame of a ping", s -> s.sendFrame(0x80 | RawWebSocket.BINARY, ping)));
        cases.add(new RawFrameCase(
                target, "binary frame of 70 KB", s -> s.sendFrame(0x80 | RawWebSocket.BINARY, new byte[70 * 1024])));
        cases.add(new RawFrameCase(
                target,
                "text frame of 65 KB",
                s -> s.sendFrame(
                        0x80 | RawWebSocket.TEXT,
                        utf8("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(65 * 1024) + "\"}"))));
        cases.add(new RawFrameCase(target, "text frame declaring 2^62 bytes, then 70 KB of them", s -> {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x80 | RawWebSocket.TEXT);
            frame.write(0x80 | 127);
            frame.writeBytes(new byte[] {0x40, 0, 0, 0, 0, 0, 0, 0});
            frame.writeBytes(new byte[] {0, 0, 0, 0});
            frame.writeBytes(utf8("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024)));
            s.sendBytes(frame.toByteArray());
        }));
        for (Map.Entry<String, byte[]> sequence : INVALID_UTF8.entrySet()) {
            cases.add(new RawFrameCase(
                    target,
                    "invalid UTF-8 in a text frame: " + sequence.getKey(),
                    s -> s.sendFrame(
                            0x80 | RawWebSocket.TEXT,
                            concat(utf8("{\"type\":\"ping\",\"x\":\"a"), sequence.getValue(), utf8("b\"}")))));
        }
        cases.add(new RawFrameCase(target, "invalid UTF-8 split across fragments", s -> {
            s.sendFrame(RawWebSocket.TEXT, concat(utf8("{\"type\":\"ping\",\"x\":\""), bytes(0xE2)));
            s.sendFrame(0x80 | RawWebSocket.CONTINUATION, concat(bytes(0x28), utf8("\"}")));
        }));
        cases.add(new RawFrameCase(
                target, "unmasked text frame", s -> s.sendFrame(0x80 | RawWebSocket.TEXT, ping, false)));
        cases.add(new RawFrameCase(
                target,
                "reserved bit RSV1 without an extension",
                s -> s.sendFrame(0x80 | 0x40 | RawWebSocket.TEXT, ping)));
        cases.add(new RawFrameCase(target, "unknown data opcode 3", s -> s.sendFrame(0x80 | 0x3, ping)));
        cases.add(new RawFrameCase(target, "unknown control opcode B", s -> s.sendFrame(0x80 | 0xB, new byte[0])));
        cases.add(new RawFrameCase(
                target,
                "continuation without a first fragment",
                s -> s.sendFrame(0x80 | RawWebSocket.CONTINUATION, ping)));
        cases.add(new RawFrameCase(
                target, "fragmented ping control frame", s -> s.sendFrame(RawWebSocket.PING, new byte[1])));
        cases.add(new RawFrameCase(
                target, "ping control frame of 126 bytes", s -> s.sendFrame(0x80 | RawWebSocket.PING, new byte[126])));
        cases.add(new RawFrameCase(
                target, "close frame with code 999", s -> s.sendFrame(0x80 | RawWebSocket.CLOSE, bytes(0x03, 0xE7))));
        cases.add(new RawFrameCase(
                target, "close frame of one byte", s -> s.sendFrame(0x80 | RawWebSocket.CLOSE, bytes(0x03))));
        cases.add(new RawFrameCase(
                target,
                "close frame with an invalid UTF-8 reason",
                s -> s.sendFrame(0x80 | RawWebSocket.CLOSE, bytes(0x03, 0xE8, 0xC3, 0x28))));
        cases.add(new RawFrameCase(target, "new text frame inside a fragmented one", s -> {
            s.sendFrame(RawWebSocket.TEXT, utf8("{\"type\":"));
            s.sendFrame(0x80 | RawWebSocket.TEXT, ping);
        }));
        cases.add(new RawFrameCase(target, "ping split into three fragments (valid)", s -> {
            s.sendFrame(RawWebSocket.TEXT, utf8("{\"ty"));
            s.sendFrame(RawWebSocket.CONTINUATION, utf8("pe\":\"pi"));
            s.sendFrame(0x80 | RawWebSocket.CONTINUATION, utf8("ng\"}"));
        }));
        cases.add(new RawFrameCase(target, "ping with a character split across fragments (valid)", s -> {
            s.sendFrame(RawWebSocket.TEXT, concat(utf8("{\"type\":\"ping\",\"x\":\""), bytes(0xE2, 0x82)));
            s.sendFrame(0x80 | RawWebSocket.CONTINUATION, concat(bytes(0xAC), utf8("\"}")));
        }));
        return cases.stream();
    }

    // ---------------------------------------------------------------- running the cases

    record Req(
            String method,
            String url,
            String authorization,
            byte[] body,
            String contentType,
            boolean chunked,
            List<String> headers) {}

    record HttpCase(
            String endpoint, String label, Expect expect, int status, Supplier<Req> request, Consumer<Answer> verify) {}

    record Answer(int status, HttpHeaders headers, byte[] body, JsonNode json, String failure) {

        String contentType() {
            return headers == null ? "" : headers.firstValue("Content-Type").orElse("");
        }

        String code() {
            return json == null ? null : json.path("code").asString(null);
        }

        String outcome() {
            if (failure != null) {
                return "connection failed";
            }
            return status
                    + (status >= 400
                            ? " "
                                    + (code() != null
                                            ? code()
                                            : contentType().isEmpty()
                                                    ? "no body"
                                                    : contentType().split(";")[0])
                            : "");
        }

        String describe() {
            if (failure != null) {
                return "connection failed: " + failure;
            }
            return status + " " + contentType() + " " + abbreviate(new String(body, StandardCharsets.UTF_8), 300);
        }
    }

    private static DynamicTest test(HttpCase c) {
        return DynamicTest.dynamicTest(c.endpoint() + " | " + c.label(), () -> run(c));
    }

    private static void run(HttpCase c) {
        Answer answer = exchange(c.request().get());
        TALLY.record(c.endpoint(), answer.outcome());
        String context = c.endpoint() + " | " + c.label() + " -> " + answer.describe();
        checked(context, () -> {
            assertThat(answer.failure()).as("the connection broke: %s", context).isNull();
            assertThat(answer.status()).as("never a 5xx: %s", context).isLessThan(500);
            if (answer.status() >= 300) {
                assertProblem(answer.status(), answer.contentType(), answer.json(), context);
            }
            if (c.expect() == Expect.REJECT) {
                assertThat(answer.status())
                        .as("structurally invalid, so refused: %s", context)
                        .isBetween(400, 499);
            }
            if (c.status() != 0) {
                assertThat(answer.status()).as(context).isEqualTo(c.status());
            }
            if (answer.status() < 300 && c.verify() != null) {
                c.verify().accept(answer);
            }
        });
    }

    private static void assertProblem(int status, String contentType, JsonNode json, String context) {
        assertThat(status).as("an error is a 4xx: %s", context).isBetween(400, 499);
        assertThat(contentType).as("an error is problem+json: %s", context).startsWith("application/problem+json");
        assertThat(json).as("a JSON body: %s", context).isNotNull();
        String code = json.path("code").asString("");
        assertThat(code).as("a code of the protocol: %s", context).isIn(CODES);
        assertThat(json.path("status").asInt()).as(context).isEqualTo(status);
        assertThat(json.path("type").asString("")).as(context).endsWith("/" + code);
        assertThat(json.path("title").asString("")).as(context).isNotBlank();
        assertThat(json.path("detail").isString()).as("a detail: %s", context).isTrue();
    }

    /** Runs checks, noting a failure for the summary before it fails the case. */
    private static void checked(String context, Runnable checks) {
        try {
            checks.run();
        } catch (AssertionError | RuntimeException e) {
            TALLY.failed(abbreviate(context, 400) + "\n      "
                    + abbreviate(
                            String.valueOf(e.getMessage())
                                    .lines()
                                    .filter(line -> !line.isBlank())
                                    .findFirst()
                                    .orElse(""),
                            300));
            throw e;
        }
    }

    static Answer exchange(Req req) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(req.url())).timeout(Duration.ofSeconds(20));
        if (req.authorization() != null) {
            builder.header("Authorization", req.authorization());
        }
        if (req.contentType() != null) {
            builder.header("Content-Type", req.contentType());
        }
        for (int i = 0; i < req.headers().size(); i += 2) {
            builder.header(req.headers().get(i), req.headers().get(i + 1));
        }
        HttpRequest.BodyPublisher body = req.body() == null
                ? HttpRequest.BodyPublishers.noBody()
                : req.chunked()
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(req.body()))
                        : HttpRequest.BodyPublishers.ofByteArray(req.body());
        builder.method(req.method(), body);
        try {
            HttpResponse<byte[]> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers(), response.body(), parse(response.body()), null);
        } catch (IOException e) {
            return new Answer(0, null, new byte[0], null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static Req json(String method, String url, Api.Session as, String body) {
        return json(method, url, as == null ? null : as.token(), body);
    }

    private static Req json(String method, String url, String token, String body) {
        return new Req(
                method,
                url,
                token == null ? null : bearer(token),
                body == null ? null : utf8(body),
                body == null ? null : "application/json",
                false,
                List.of());
    }

    private static Req plain(String method, String url) {
        return new Req(method, url, null, null, null, false, List.of());
    }

    private static Req withHeaders(Req req, String... namesAndValues) {
        return new Req(
                req.method(),
                req.url(),
                req.authorization(),
                req.body(),
                req.contentType(),
                req.chunked(),
                List.of(namesAndValues));
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A request written byte for byte on a socket. */
    record RawHttpCase(
            String endpoint,
            String label,
            Expect expect,
            int port,
            String requestLine,
            List<String> headers,
            String body) {}

    private static void run(RawHttpCase c) {
        String head = c.requestLine() + "\r\nHost: 127.0.0.1:" + c.port() + "\r\n" + String.join("\r\n", c.headers())
                + (c.headers().isEmpty() ? "" : "\r\n") + "Connection: close";
        RawWebSocket.Answer answer;
        String outcome;
        try {
            answer = RawWebSocket.request(c.port(), head, utf8(c.body()), ANSWER).handshake;
            outcome = answer.status() + (answer.status() >= 400 ? " " + problemCode(answer) : "");
        } catch (UncheckedIOException e) {
            answer = null;
            outcome = "connection failed";
        }
        TALLY.record(c.endpoint(), outcome);
        RawWebSocket.Answer got = answer;
        String context = c.endpoint() + " | " + c.label() + " -> "
                + (got == null
                        ? "no answer"
                        : got.status() + " " + got.header("Content-Type") + " "
                                + abbreviate(new String(got.body(), StandardCharsets.UTF_8), 300));
        checked(context, () -> {
            assertThat(got).as("an answer: %s", context).isNotNull();
            assertThat(got.status()).as("never a 5xx: %s", context).isLessThan(500);
            if (got.status() >= 300) {
                assertProblem(got.status(), String.valueOf(got.header("Content-Type")), parse(got.body()), context);
            }
            if (c.expect() == Expect.REJECT) {
                assertThat(got.status()).as("refused: %s", context).isBetween(400, 499);
            }
        });
    }

    private static String problemCode(RawWebSocket.Answer answer) {
        JsonNode json = parse(answer.body());
        String type = answer.header("Content-Type");
        return json != null && json.has("code")
                ? json.path("code").asString()
                : answer.body().length == 0 ? "no body" : type == null ? "text without a type" : type.split(";")[0];
    }

    /** A socket kept for one class of input. */
    private static final class Conn {

        final Socket socket;

        final Deque<JsonNode> pending = new ArrayDeque<>();

        Conn(Socket socket) {
            this.socket = socket;
        }

        /** Sends a text frame and waits until it is written; a socket the server closed is noticed by the caller. */
        void send(String text) {
            try {
                socket.sendAsync(text).get(ANSWER.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // the server closed the socket while the frame was written: the answer tells how
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** The next frame other than a hint, or null when the socket closed first or nothing came in time. */
        JsonNode reply(Duration timeout) {
            try {
                await().atMost(timeout)
                        .pollInSameThread()
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(2))
                        .until(() -> {
                            socket.drain().stream()
                                    .filter(frame ->
                                            !frame.path("type").asString("").equals("hint"))
                                    .forEach(pending::add);
                            return !pending.isEmpty() || socket.isClosed();
                        });
            } catch (ConditionTimeoutException e) {
                return null;
            }
            return pending.poll();
        }

        void close() {
            socket.close();
        }
    }

    private static DynamicTest test(FrameCase c) {
        return DynamicTest.dynamicTest(c.target().endpoint + " | " + c.label(), () -> run(c));
    }

    private static void run(FrameCase c) {
        String key = c.target() + "/" + c.kind() + "/" + c.user().userId();
        Conn conn = SOCKETS.get(key);
        if (conn == null || conn.socket.isClosed()) {
            conn = new Conn(Socket.connect(c.target().url(), c.user().token()));
            SOCKETS.put(key, conn);
        }
        conn.send(c.text());
        JsonNode reply = conn.reply(ANSWER);
        Socket.Closed closed = reply == null && conn.socket.isClosed() ? conn.socket.awaitClosed(ANSWER) : null;
        String outcome = reply != null ? frameOutcome(reply) : closed != null ? "close " + closed.code() : "no answer";
        TALLY.record(c.target().endpoint, outcome);
        Conn used = conn;
        String context = c.target().endpoint + " | " + c.kind() + " | " + c.label() + " -> "
                + (reply != null
                        ? abbreviate(reply.toString(), 300)
                        : closed != null ? closed : "no answer in " + ANSWER);
        checked(context, () -> {
            assertThat(reply != null || closed != null)
                    .as("an answer: %s", context)
                    .isTrue();
            if (closed != null) {
                assertThat(closed.code())
                        .as("a close frame with a fitting code (1006: dropped without one): %s", context)
                        .isIn(FINE_CLOSE_CODES);
                return;
            }
            String type = reply.path("type").asString("");
            if (type.equals("error")) {
                assertThat(reply.path("status").asInt())
                        .as("an error frame is a 4xx: %s", context)
                        .isBetween(400, 499);
                assertThat(reply.path("code").asString(""))
                        .as("a code of the protocol: %s", context)
                        .isIn(CODES);
                assertThat(reply.path("detail").isString())
                        .as("a detail: %s", context)
                        .isTrue();
            } else {
                assertThat(c.expect())
                        .as("structurally invalid, so refused: %s", context)
                        .isEqualTo(Expect.EITHER);
                assertThat(type).as(context).isIn("pong", "ack", "delta");
                if (c.verify() != null && !type.equals("pong")) {
                    c.verify().accept(reply);
                }
            }
            assertUsable(used, context);
        });
    }

    private static String frameOutcome(JsonNode reply) {
        String type = reply.path("type").asString("");
        return type.equals("error")
                ? "error " + reply.path("status").asInt() + " "
                        + reply.path("code").asString("")
                : type;
    }

    /** The socket still answers a ping with a pong (or was closed properly). */
    private static void assertUsable(Conn conn, String context) {
        conn.send("{\"type\":\"ping\"}");
        JsonNode pong = conn.reply(ANSWER);
        if (pong == null && conn.socket.isClosed()) {
            Socket.Closed closed = conn.socket.awaitClosed(ANSWER);
            assertThat(closed.code())
                    .as("closed after answering, with a fitting code: %s", context)
                    .isIn(FINE_CLOSE_CODES);
            return;
        }
        assertThat(pong).as("the socket stays usable: %s", context).isNotNull();
        assertThat(pong.path("type").asString(""))
                .as("ping answered with pong: %s", context)
                .isEqualTo("pong");
    }

    private static DynamicTest test(RawFrameCase c) {
        return DynamicTest.dynamicTest(c.target().endpoint + " | " + c.label(), () -> run(c));
    }

    private static void run(RawFrameCase c) throws IOException {
        String outcome;
        String context;
        RawWebSocket.Frame answer;
        boolean usable = false;
        try (RawWebSocket socket = RawWebSocket.open(
                c.target().port(), c.target().path, c.target().user().token(), ANSWER)) {
            c.send().send(socket);
            try {
                answer = socket.next();
            } catch (java.net.SocketTimeoutException e) {
                answer = new RawWebSocket.Frame(-1, new byte[0]);
            }
            if (answer != null && answer.opcode() == RawWebSocket.TEXT) {
                socket.sendFrame(0x80 | RawWebSocket.TEXT, utf8("{\"type\":\"ping\"}"));
                try {
                    RawWebSocket.Frame pong = socket.next();
                    usable = pong != null
                            && pong.opcode() == RawWebSocket.TEXT
                            && pong.text().contains("pong");
                } catch (java.net.SocketTimeoutException e) {
                    usable = false;
                }
            }
        }
        RawWebSocket.Frame got = answer;
        if (got == null) {
            outcome = "dropped without a close frame";
        } else if (got.opcode() == -1) {
            outcome = "no answer";
        } else if (got.opcode() == RawWebSocket.CLOSE) {
            outcome = "close " + got.closeCode();
        } else {
            JsonNode json = parse(got.payload());
            outcome = json == null ? "non-JSON frame" : frameOutcome(json);
        }
        TALLY.record(c.target().endpoint, outcome);
        context = c.target().endpoint + " | " + c.label() + " -> " + outcome
                + (got != null && got.opcode() == RawWebSocket.CLOSE
                        ? " '"
                                + new String(
                                        got.payload(), 2, Math.max(0, got.payload().length - 2), StandardCharsets.UTF_8)
                                + "'"
                        : got != null && got.opcode() == RawWebSocket.TEXT ? " " + abbreviate(got.text(), 200) : "");
        boolean stillUsable = usable;
        checked(context, () -> {
            assertThat(got)
                    .as("a close frame, never a dropped connection: %s", context)
                    .isNotNull();
            assertThat(got.opcode()).as("an answer: %s", context).isNotEqualTo(-1);
            if (got.opcode() == RawWebSocket.CLOSE) {
                assertThat(got.closeCode())
                        .as("a fitting close code: %s", context)
                        .isIn(FINE_CLOSE_CODES);
            } else {
                JsonNode json = parse(got.payload());
                assertThat(json).as("a JSON frame: %s", context).isNotNull();
                String type = json.path("type").asString("");
                if (type.equals("error")) {
                    assertThat(json.path("status").asInt()).as(context).isBetween(400, 499);
                    assertThat(json.path("code").asString("")).as(context).isIn(CODES);
                } else {
                    assertThat(c.label())
                            .as("only a valid frame may be answered normally: %s", context)
                            .contains("(valid)");
                    assertThat(type).as(context).isEqualTo("pong");
                }
                assertThat(stillUsable)
                        .as("the socket stays usable: %s", context)
                        .isTrue();
            }
        });
    }

    /** A handshake request written byte for byte. */
    record HandshakeCase(Target target, String label, Expect expect, String head) {}

    private static void run(HandshakeCase c) {
        RawWebSocket socket;
        String outcome;
        try {
            socket = RawWebSocket.request(c.target().port(), c.head(), ANSWER);
            outcome = socket.handshake.status()
                    + (socket.handshake.status() >= 400 ? " " + problemCode(socket.handshake) : "");
        } catch (UncheckedIOException e) {
            socket = null;
            outcome = "connection failed: " + e.getCause();
        }
        TALLY.record(
                c.target().endpoint + " handshake",
                outcome.startsWith("connection failed") ? "connection failed" : outcome);
        RawWebSocket got = socket;
        String context = c.target().endpoint + " | handshake " + c.label() + " -> "
                + (got == null
                        ? outcome
                        : got.handshake.status() + " " + got.handshake.header("Content-Type") + " "
                                + abbreviate(new String(got.handshake.body(), StandardCharsets.UTF_8), 300));
        try {
            checked(context, () -> {
                assertThat(got).as("an answer: %s", context).isNotNull();
                int status = got.handshake.status();
                assertThat(status).as("never a 5xx: %s", context).isLessThan(500);
                if (status == 101) {
                    assertThat(c.expect()).as("refused: %s", context).isEqualTo(Expect.EITHER);
                    return;
                }
                assertProblem(
                        status,
                        String.valueOf(got.handshake.header("Content-Type")),
                        parse(got.handshake.body()),
                        context);
            });
        } finally {
            if (got != null) {
                got.close();
            }
        }
    }

    // ---------------------------------------------------------------- the summary

    /** Outcomes per endpoint, and the failures, for the log. */
    private static final class Tally {

        private final Map<String, Map<String, Integer>> outcomes = new TreeMap<>();

        private final List<String> failures = new ArrayList<>();

        synchronized void record(String endpoint, String outcome) {
            outcomes.computeIfAbsent(endpoint, e -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
        }

        synchronized void failed(String what) {
            failures.add(what);
        }

        synchronized void log(Duration elapsed) {
            Map<String, Integer> overall = new TreeMap<>();
            StringBuilder text = new StringBuilder();
            int total = 0;
            for (Map.Entry<String, Map<String, Integer>> endpoint : outcomes.entrySet()) {
                int count = endpoint.getValue().values().stream()
                        .mapToInt(Integer::intValue)
                        .sum();
                total += count;
                text.append(String.format("%n  %-52s %5d  %s", endpoint.getKey(), count, endpoint.getValue()));
                endpoint.getValue().forEach((outcome, n) -> overall.merge(outcome, n, Integer::sum));
            }
            log.info(
                    "Fuzz summary: {} cases in {} s; outcomes overall: {}; per endpoint:{}",
                    total,
                    elapsed.toMillis() / 1000.0,
                    overall,
                    text);
            if (!failures.isEmpty()) {
                log.warn(
                        "Fuzz failures ({}):{}",
                        failures.size(),
                        failures.stream().map(f -> "\n  - " + f).reduce("", String::concat));
            }
        }
    }

    private static boolean isName(String name) {
        return !name.isEmpty() && name.length() <= 128;
    }

    private static boolean isText(String text) {
        return !text.isEmpty() && utf8(text).length <= 16 * 1024;
    }

    private static String path(String url) {
        return URI.create(url).getRawPath();
    }

    private static int port(String baseUrl) {
        return URI.create(baseUrl).getPort();
    }

    private static Connection database() throws SQLException {
        if (database == null) {
            Infrastructure infrastructure = CourierInfrastructure.shared();
            database = DriverManager.getConnection(
                    infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
        }
        return database;
    }

    private static synchronized List<String> queryStrings(String sql, Object... params) {
        try (PreparedStatement statement = database().prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    values.add(result.getString(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
