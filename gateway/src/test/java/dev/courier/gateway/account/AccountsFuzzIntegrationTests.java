package dev.courier.gateway.account;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.AccessTokens;
import dev.courier.common.PushTokens;
import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.fuzz.Fuzz;
import dev.courier.testinfra.fuzz.Fuzz.Answer;
import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.HttpCase;
import dev.courier.testinfra.fuzz.Fuzz.Req;
import dev.courier.testinfra.fuzz.Hostile;
import dev.courier.testinfra.fuzz.Hostile.Body;
import dev.courier.testinfra.fuzz.HostileTokens;
import dev.courier.testinfra.fuzz.HttpCases;
import dev.courier.testinfra.fuzz.JsonBodies;
import dev.courier.testinfra.fuzz.JsonBodies.Field;
import dev.courier.testinfra.fuzz.JsonBodies.JsonEndpoint;
import dev.courier.web.AuthProperties;

import static dev.courier.testinfra.fuzz.Fuzz.bearer;
import static dev.courier.testinfra.fuzz.Fuzz.exchange;
import static dev.courier.testinfra.fuzz.Hostile.encode;
import static dev.courier.testinfra.fuzz.Hostile.str;
import static dev.courier.testinfra.fuzz.Hostile.utf8;
import static dev.courier.testinfra.fuzz.Hostile.visible;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz of accounts, sessions, the account and contacts ({@code POST /v1/accounts}, {@code POST} and
 * {@code DELETE /v1/sessions}, {@code PATCH /v1/account}, {@code PUT} and {@code DELETE /v1/contacts/{userId}},
 * {@code PUT} and {@code DELETE /v1/devices/current/push}):
 * hostile bodies, tokens, path segments and methods, each answered with a 4xx problem+json and never a 500; what is
 * accepted is stored verbatim and does nothing else.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccountsFuzzIntegrationTests {

    private static final String DEFAULT_PASSWORD = "password-of-fuzz";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static final Fuzz FUZZ = new Fuzz("accounts, sessions and contacts");

    private static Api api;

    /** renames herself */
    private static Api.Session dave;

    /** adds frank as a contact */
    private static Api.Session erin;

    private static Api.Session frank;

    private static Api.Session hank;

    /** sets push tokens */
    private static Api.Session ivan;

    /** logs in with hostile requests */
    private static Api.Session jo;

    /** whose identity the forged tokens claim */
    private static Api.Session gina;

    private static Map<String, String> tokens;

    @BeforeAll
    static void createUsers() {
        api = TestGateway.api();
        dave = api.newUser("dave");
        erin = api.newUser("erin");
        frank = api.newUser("frank");
        hank = api.newUser("hank");
        ivan = api.newUser("ivan");
        jo = api.newUser("jo");
        gina = api.newUser("gina");
        tokens = HostileTokens.authorizations(gina.userId(), AuthProperties.DEVELOPMENT_SECRET);
    }

    @AfterAll
    static void summarize() {
        FUZZ.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> bodiesThatAreMalformedMistypedOrHostileAreRefusedWithProblemsOrStoredVerbatim() {
        String gw = api.gateway;
        List<JsonEndpoint> endpoints = List.of(
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
                                Field.string(
                                        "userId",
                                        id -> JsonBodies.USER_ID.matcher(id).matches(),
                                        false),
                                Field.password("password"),
                                Field.string("displayName", JsonBodies::isName, false)),
                        body -> body.with("kind", str("bridge"))
                                .with("accountVersion", "999")
                                .with("passwordHash", str("$2a$10$abcdefghijklmnopqrstuv")),
                        AccountsFuzzIntegrationTests::verifyAccountCreated),
                new JsonEndpoint(
                        "POST /v1/sessions",
                        "",
                        "POST",
                        gw + "/v1/sessions",
                        null,
                        () -> Body.of(
                                "userId",
                                str(jo.userId()),
                                "password",
                                str("password-" + jo.userId()),
                                "deviceId",
                                str("fz" + SEQUENCE.incrementAndGet())),
                        false,
                        "deviceId",
                        List.of(
                                Field.credential("userId", jo.userId()),
                                Field.credential("password", jo.userId()),
                                Field.string(
                                        "deviceId",
                                        id -> JsonBodies.DEVICE_ID.matcher(id).matches(),
                                        false)),
                        body -> body.with("expiresAt", str("2999-01-01T00:00:00Z"))
                                .with("ttl", "999999999")
                                .with("sub", str(gina.userId())),
                        AccountsFuzzIntegrationTests::verifyLoggedIn),
                new JsonEndpoint(
                        "PATCH /v1/account",
                        "",
                        "PATCH",
                        gw + "/v1/account",
                        dave.token(),
                        () -> Body.of("displayName", str("Dave")),
                        false,
                        "displayName",
                        List.of(Field.string("displayName", JsonBodies::isName, false)),
                        body -> body.with("userId", str(gina.userId())).with("version", "99"),
                        AccountsFuzzIntegrationTests::verifyRenamed),
                new JsonEndpoint(
                        "PUT /v1/contacts/{userId}",
                        "",
                        "PUT",
                        gw + "/v1/contacts/" + frank.userId(),
                        erin.token(),
                        () -> Body.of("alias", str("Frank")),
                        true,
                        "alias",
                        List.of(Field.string("alias", alias -> alias.length() <= 128, true)),
                        body -> body.with("deleted", "true")
                                .with("userId", str(gina.userId()))
                                .with("version", "99"),
                        AccountsFuzzIntegrationTests::verifyContact),
                new JsonEndpoint(
                        "PUT /v1/devices/current/push",
                        "",
                        "PUT",
                        gw + "/v1/devices/current/push",
                        ivan.token(),
                        () -> Body.of("provider", str("apns"), "token", str("t0k3n")),
                        false,
                        "token",
                        List.of(
                                Field.string("provider", PushTokens::isProvider, false),
                                Field.string("token", PushTokens::isToken, false)),
                        body -> body.with("userId", str(gina.userId()))
                                .with("deviceId", str("other"))
                                .with("updatedAt", "0"),
                        AccountsFuzzIntegrationTests::verifyPushToken));
        return endpoints.stream().flatMap(JsonBodies::bodyCases).map(FUZZ::test);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyAuthenticatedEndpointRefusesHostileTokensWith401() {
        String gw = api.gateway;
        String contact = gw + "/v1/contacts/" + hank.userId();
        return Stream.of(
                        HttpCases.tokenCases("DELETE /v1/sessions", "DELETE", gw + "/v1/sessions", null, tokens),
                        HttpCases.tokenCases(
                                "PATCH /v1/account",
                                "PATCH",
                                gw + "/v1/account",
                                utf8("{\"displayName\":\"X\"}"),
                                tokens),
                        HttpCases.tokenCases("PUT /v1/contacts/{userId}", "PUT", contact, utf8("{}"), tokens),
                        HttpCases.tokenCases("DELETE /v1/contacts/{userId}", "DELETE", contact, null, tokens),
                        HttpCases.tokenCases(
                                "PUT /v1/devices/current/push",
                                "PUT",
                                gw + "/v1/devices/current/push",
                                utf8("{\"provider\":\"apns\",\"token\":\"t\"}"),
                                tokens),
                        HttpCases.tokenCases(
                                "DELETE /v1/devices/current/push",
                                "DELETE",
                                gw + "/v1/devices/current/push",
                                null,
                                tokens))
                .flatMap(List::stream)
                .map(FUZZ::test);
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> hostileContactIdsAreNotFoundOrRefused() {
        List<HttpCase> cases = new ArrayList<>();
        String contacts = api.gateway + "/v1/contacts/";
        cases.addAll(HttpCases.pathCases(
                "PUT /v1/contacts/{userId}",
                frank.userId(),
                segment -> Req.json("PUT", contacts + segment, erin.token(), "{\"alias\":\"F\"}")));
        cases.addAll(HttpCases.pathCases(
                "DELETE /v1/contacts/{userId}",
                frank.userId(),
                segment -> Req.json("DELETE", contacts + segment, erin.token(), null)));
        cases.addAll(HttpCases.bodiesWhereNoneIsRead(
                "DELETE /v1/contacts/{userId}", "DELETE", contacts + hank.userId(), erin.token()));
        cases.addAll(HttpCases.bodiesWhereNoneIsRead(
                "DELETE /v1/devices/current/push", "DELETE", api.gateway + "/v1/devices/current/push", ivan.token()));
        return cases.stream().map(FUZZ::test);
    }

    @TestFactory
    @Order(4)
    Stream<DynamicTest> wrongMethodsAndHostileSignOutsAreRefusedOrSignOut() {
        String gw = api.gateway;
        List<HttpCase> cases = new ArrayList<>(List.of(
                HttpCases.wrongMethod("GET /v1/accounts", "GET", gw + "/v1/accounts", null),
                HttpCases.wrongMethod("PUT /v1/sessions", "PUT", gw + "/v1/sessions", null),
                HttpCases.wrongMethod("GET /v1/sessions", "GET", gw + "/v1/sessions", gina.token()),
                HttpCases.wrongMethod("POST /v1/account", "POST", gw + "/v1/account", gina.token()),
                HttpCases.wrongMethod("GET /v1/account", "GET", gw + "/v1/account", gina.token()),
                HttpCases.wrongMethod(
                        "POST /v1/contacts/{userId}", "POST", gw + "/v1/contacts/" + hank.userId(), gina.token()),
                HttpCases.wrongMethod(
                        "POST /v1/devices/current/push", "POST", gw + "/v1/devices/current/push", gina.token()),
                HttpCases.wrongMethod(
                        "GET /v1/devices/current/push", "GET", gw + "/v1/devices/current/push", gina.token())));

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
                        token[0] = api.device(jo.userId(), "out" + SEQUENCE.incrementAndGet())
                                .token();
                        return request.apply(token[0]);
                    },
                    answer -> {
                        assertThat(answer.status()).isEqualTo(204);
                        Answer after =
                                exchange(Req.json("PATCH", gw + "/v1/account", token[0], "{\"displayName\":\"x\"}"));
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
                        bearer(jo.token()),
                        utf8("x".repeat(200_000)),
                        "application/json",
                        false,
                        List.of()),
                null));
        return cases.stream().map(FUZZ::test);
    }

    @Test
    @Order(5)
    void theSqlOfTheHostileStringsRanNowhere() {
        assertThat(TestGateway.database()
                        .sql("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
                        .query(String.class)
                        .list())
                .map(name -> name.toLowerCase(Locale.ROOT))
                .contains("accounts", "devices", "contacts", "chat_groups", "group_members", "messages", "inbox");
        assertThat(TestGateway.database()
                        .sql("SELECT COUNT(*) FROM accounts WHERE display_name = ?")
                        .param("\"; DROP TABLE accounts; --")
                        .query(Long.class)
                        .single())
                .as("renamed and created with the DROP TABLE string, stored as it came")
                .isPositive();
    }

    // ---------------------------------------------------------------- checks of accepted requests

    /** The account exists as sent; when the password is the hostile part, it logs in with exactly that password. */
    private static void verifyAccountCreated(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(201);
        String userId = sent.path("userId").asString();
        String displayName = sent.path("displayName").asString();
        assertThat(answer.json().path("userId").asString()).isEqualTo(userId);
        assertThat(visible(answer.json().path("displayName").asString())).isEqualTo(visible(displayName));
        assertThat(displayNames(userId))
                .as("the display name is stored verbatim")
                .containsExactly(visible(displayName));
        if (!sent.path("password").asString().equals(DEFAULT_PASSWORD)) {
            Answer login = exchange(Req.json(
                    "POST",
                    api.gateway + "/v1/sessions",
                    null,
                    Api.json("userId", userId, "password", sent.path("password").asString(), "deviceId", "check")));
            assertThat(login.status())
                    .as("the password works as given: %s", login.describe())
                    .isEqualTo(200);
        }
    }

    /** The token names jo and the device sent, lives as long as every token, and opens the gateway. */
    private static void verifyLoggedIn(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        Instant expiresAt = Instant.parse(answer.json().path("expiresAt").asString());
        assertThat(expiresAt)
                .as("the usual lifetime, whatever the body said")
                .isBefore(Instant.now().plus(Duration.ofHours(25)));
        String token = answer.json().path("token").asString();
        AccessTokens.Principal principal = TestGateway.bean(AccessTokens.class).verify(token);
        assertThat(principal.userId()).isEqualTo(jo.userId());
        assertThat(principal.deviceId()).isEqualTo(sent.path("deviceId").asString());
        Answer authenticated =
                exchange(Req.json("DELETE", api.gateway + "/v1/contacts/" + Api.uniqueId("nobody"), token, null));
        assertThat(authenticated.status())
                .as("the token is accepted: %s", authenticated.describe())
                .isEqualTo(404);
    }

    private static void verifyRenamed(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("userId").asString()).isEqualTo(dave.userId());
        assertThat(visible(answer.json().path("displayName").asString()))
                .isEqualTo(visible(sent.path("displayName").asString()));
        assertThat(displayNames(dave.userId()))
                .as("the display name is stored verbatim")
                .containsExactly(visible(sent.path("displayName").asString()));
    }

    private static void verifyContact(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        String alias = sent == null
                        || sent.path("alias").isNull()
                        || sent.path("alias").isMissingNode()
                ? null
                : sent.path("alias").asString();
        assertThat(answer.json().path("userId").asString()).isEqualTo(frank.userId());
        assertThat(answer.json().path("deleted").asBoolean()).isFalse();
        assertThat(visible(
                        answer.json().path("alias").isNull()
                                ? null
                                : answer.json().path("alias").asString()))
                .isEqualTo(visible(alias));
        record Row(String alias, boolean deleted, long version) {}
        Row row = TestGateway.database()
                .sql("SELECT alias, deleted, version FROM contacts WHERE owner_id = ? AND contact_id = ?")
                .params(erin.userId(), frank.userId())
                .query((rs, n) -> new Row(rs.getString(1), rs.getBoolean(2), rs.getLong(3)))
                .single();
        assertThat(visible(row.alias())).as("the alias is stored verbatim").isEqualTo(visible(alias));
        assertThat(row.deleted()).isFalse();
        assertThat(row.version()).isEqualTo(answer.json().path("version").asLong());
    }

    /** The device's one token is the one sent, of the caller's device only. */
    private static void verifyPushToken(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(204);
        assertThat(TestGateway.database()
                        .sql("SELECT device_id, provider, token FROM device_push_tokens WHERE user_id = ?")
                        .param(ivan.userId())
                        .query((rs, n) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3))
                        .list())
                .containsExactly("phone " + sent.path("provider").asString() + " "
                        + sent.path("token").asString());
        assertThat(TestGateway.database()
                        .sql("SELECT COUNT(*) FROM device_push_tokens WHERE user_id = ?")
                        .param(gina.userId())
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private static List<String> displayNames(String userId) {
        return TestGateway.database()
                .sql("SELECT display_name FROM accounts WHERE user_id = ?")
                .param(userId)
                .query(String.class)
                .list()
                .stream()
                .map(Hostile::visible)
                .toList();
    }
}
