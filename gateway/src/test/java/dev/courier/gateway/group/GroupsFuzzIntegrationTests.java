package dev.courier.gateway.group;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
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

import dev.courier.gateway.ConversationLog;
import dev.courier.gateway.TestGateway;
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

import static dev.courier.testinfra.fuzz.Fuzz.exchange;
import static dev.courier.testinfra.fuzz.Hostile.str;
import static dev.courier.testinfra.fuzz.Hostile.utf8;
import static dev.courier.testinfra.fuzz.Hostile.visible;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz of groups and blocks: {@code POST /v1/groups}, {@code GET /v1/groups} and {@code /v1/groups/{groupId}},
 * {@code POST} and {@code DELETE} of members, {@code PATCH} and {@code DELETE} of a group, its admins, owner and member
 * mutes, and {@code PUT}, {@code DELETE} and {@code GET} of blocks: hostile bodies, tokens, path segments, methods and
 * raw requests, each answered with a 4xx problem+json and never a 500; a group created is stored verbatim, and an
 * accepted change is in the log as asked. The changes go to the gateway with a short change timeout
 * ({@link TestGateway#limited()}): no expansion stage decides them here, so an accepted one answers {@code 202} pending
 * at once, with the event id of its record.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupsFuzzIntegrationTests {

    private static final Fuzz FUZZ = new Fuzz("groups");

    private static Api api;

    /** owns the group, with hank */
    private static Api.Session gina;

    private static Api.Session hank;

    private static String groupId;

    /** a second group of gina's, with hank, that the fuzz of {@code DELETE /v1/groups/{groupId}} may dissolve */
    private static String doomed;

    /** the gateway that answers an undecided change {@code 202} pending after 100 ms */
    private static String changes;

    private static Map<String, String> tokens;

    @BeforeAll
    static void createGroup() {
        api = TestGateway.api();
        gina = api.newUser("gina");
        hank = api.newUser("hank");
        groupId = Api.uniqueId("g");
        Api.Response group = api.createGroup(gina, groupId, "Fuzz group", List.of(hank.userId()));
        assertThat(group.status()).as(group.body().toString()).isEqualTo(201);
        doomed = Api.uniqueId("g");
        Api.Response second = api.createGroup(gina, doomed, "Doomed", List.of(hank.userId()));
        assertThat(second.status()).as(second.body().toString()).isEqualTo(201);
        changes = TestGateway.limitedApi().gateway;
        tokens = HostileTokens.authorizations(gina.userId(), AuthProperties.DEVELOPMENT_SECRET);
    }

    @AfterAll
    static void summarize() {
        FUZZ.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> bodiesThatAreMalformedMistypedOrHostileAreRefusedWithProblemsOrDoneAsAsked() {
        String gw = api.gateway;
        List<JsonEndpoint> endpoints = List.of(
                new JsonEndpoint(
                        "POST /v1/groups",
                        "",
                        "POST",
                        gw + "/v1/groups",
                        gina.token(),
                        () -> Body.of(
                                "groupId",
                                str(Api.uniqueId("fz")),
                                "name",
                                str("Fuzz"),
                                "members",
                                "[" + str(hank.userId()) + "]"),
                        false,
                        "name",
                        List.of(
                                Field.string(
                                        "groupId",
                                        id -> JsonBodies.USER_ID.matcher(id).matches(),
                                        true),
                                Field.string("name", JsonBodies::isName, false),
                                Field.list("members", 0, hank.userId())),
                        body -> body.with("owner", str(hank.userId())).with("membersVersion", "99"),
                        GroupsFuzzIntegrationTests::verifyGroupCreated),
                new JsonEndpoint(
                        "POST /v1/groups/{groupId}/members",
                        "",
                        "POST",
                        gw + "/v1/groups/" + groupId + "/members",
                        gina.token(),
                        () -> Body.of("userIds", "[" + str(hank.userId()) + "]"),
                        false,
                        "userIds",
                        List.of(Field.list("userIds", 1, hank.userId())),
                        body -> body.with("groupId", str("other")).with("by", str(hank.userId())),
                        GroupsFuzzIntegrationTests::verifyMembersAdded),
                new JsonEndpoint(
                        "PATCH /v1/groups/{groupId}",
                        "",
                        "PATCH",
                        changes + "/v1/groups/" + groupId,
                        gina.token(),
                        () -> Body.of("name", str("Fuzz"), "announcement", str("Hello"), "muted", "false"),
                        false,
                        "name",
                        List.of(
                                Field.string("name", JsonBodies::isName, true),
                                Field.string("announcement", text -> text.length() <= 2000, true),
                                Field.bool("muted", true)),
                        body -> body.with("owner", str(hank.userId()))
                                .with("admins", "[" + str(hank.userId()) + "]")
                                .with("version", "99"),
                        GroupsFuzzIntegrationTests::verifyGroupUpdated),
                new JsonEndpoint(
                        "POST /v1/groups/{groupId}/owner",
                        "",
                        "POST",
                        changes + "/v1/groups/" + groupId + "/owner",
                        gina.token(),
                        () -> Body.of("userId", str(hank.userId())),
                        false,
                        "userId",
                        List.of(Field.string(
                                "userId", id -> JsonBodies.USER_ID.matcher(id).matches(), false)),
                        body -> body.with("by", str(hank.userId())).with("groupId", str("other")),
                        GroupsFuzzIntegrationTests::verifyOwnerChanged),
                new JsonEndpoint(
                        "PUT /v1/groups/{groupId}/mutes/{userId}",
                        "",
                        "PUT",
                        changes + "/v1/groups/" + groupId + "/mutes/" + hank.userId(),
                        gina.token(),
                        () -> Body.of(
                                "until",
                                str(Instant.now().plus(1, ChronoUnit.DAYS).toString())),
                        true,
                        "until",
                        List.of(Field.string("until", GroupsFuzzIntegrationTests::isFutureTime, true)),
                        body -> body.with("muted", "false").with("by", str(hank.userId())),
                        GroupsFuzzIntegrationTests::verifyMemberMuted));
        return endpoints.stream().flatMap(JsonBodies::bodyCases).map(FUZZ::test);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyGroupAndBlockEndpointRefusesHostileTokensWith401() {
        String group = api.gateway + "/v1/groups/" + groupId;
        String change = changes + "/v1/groups/" + groupId;
        return Stream.of(
                        HttpCases.tokenCases(
                                "POST /v1/groups",
                                "POST",
                                api.gateway + "/v1/groups",
                                utf8("{\"name\":\"G\",\"members\":[]}"),
                                tokens),
                        HttpCases.tokenCases("GET /v1/groups/{groupId}", "GET", group, null, tokens),
                        HttpCases.tokenCases(
                                "POST /v1/groups/{groupId}/members",
                                "POST",
                                group + "/members",
                                utf8("{\"userIds\":[\"" + hank.userId() + "\"]}"),
                                tokens),
                        HttpCases.tokenCases(
                                "DELETE /v1/groups/{groupId}/members/{userId}",
                                "DELETE",
                                group + "/members/" + hank.userId(),
                                null,
                                tokens),
                        HttpCases.tokenCases("GET /v1/groups", "GET", api.gateway + "/v1/groups", null, tokens),
                        HttpCases.tokenCases(
                                "PATCH /v1/groups/{groupId}", "PATCH", change, utf8("{\"name\":\"G\"}"), tokens),
                        HttpCases.tokenCases(
                                "PUT /v1/groups/{groupId}/admins/{userId}",
                                "PUT",
                                change + "/admins/" + hank.userId(),
                                null,
                                tokens),
                        HttpCases.tokenCases(
                                "DELETE /v1/groups/{groupId}/admins/{userId}",
                                "DELETE",
                                change + "/admins/" + hank.userId(),
                                null,
                                tokens),
                        HttpCases.tokenCases(
                                "POST /v1/groups/{groupId}/owner",
                                "POST",
                                change + "/owner",
                                utf8("{\"userId\":\"" + hank.userId() + "\"}"),
                                tokens),
                        HttpCases.tokenCases(
                                "PUT /v1/groups/{groupId}/mutes/{userId}",
                                "PUT",
                                change + "/mutes/" + hank.userId(),
                                null,
                                tokens),
                        HttpCases.tokenCases(
                                "DELETE /v1/groups/{groupId}/mutes/{userId}",
                                "DELETE",
                                change + "/mutes/" + hank.userId(),
                                null,
                                tokens),
                        HttpCases.tokenCases(
                                "DELETE /v1/groups/{groupId}",
                                "DELETE",
                                changes + "/v1/groups/" + doomed,
                                null,
                                tokens),
                        HttpCases.tokenCases(
                                "PUT /v1/blocks/{userId}",
                                "PUT",
                                changes + "/v1/blocks/" + hank.userId(),
                                null,
                                tokens),
                        HttpCases.tokenCases(
                                "DELETE /v1/blocks/{userId}",
                                "DELETE",
                                changes + "/v1/blocks/" + hank.userId(),
                                null,
                                tokens),
                        HttpCases.tokenCases("GET /v1/blocks", "GET", api.gateway + "/v1/blocks", null, tokens))
                .flatMap(List::stream)
                .map(FUZZ::test);
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> hostileGroupAndUserIdsAreNotFoundOrRefused() {
        List<HttpCase> cases = new ArrayList<>();
        String groups = api.gateway + "/v1/groups/";
        String members = "{\"userIds\":[\"" + hank.userId() + "\"]}";
        String changing = changes + "/v1/groups/";
        String owner = "{\"userId\":\"" + hank.userId() + "\"}";
        record Slot(String endpoint, String existing, Function<String, Req> request) {}
        List<Slot> slots = new ArrayList<>(List.of(
                new Slot("GET /v1/groups/{groupId}", groupId, seg -> Req.json("GET", groups + seg, gina.token(), null)),
                new Slot(
                        "POST /v1/groups/{groupId}/members",
                        groupId,
                        seg -> Req.json("POST", groups + seg + "/members", gina.token(), members)),
                new Slot(
                        "DELETE /v1/groups/{groupId}/members/{userId}",
                        groupId,
                        seg -> Req.json("DELETE", groups + seg + "/members/" + hank.userId(), gina.token(), null)),
                new Slot(
                        "DELETE /v1/groups/{groupId}/members/{userId}",
                        hank.userId(),
                        seg -> Req.json("DELETE", groups + groupId + "/members/" + seg, gina.token(), null)),
                new Slot(
                        "PATCH /v1/groups/{groupId}",
                        groupId,
                        seg -> Req.json("PATCH", changing + seg, gina.token(), "{\"name\":\"G\"}")),
                new Slot(
                        "POST /v1/groups/{groupId}/owner",
                        groupId,
                        seg -> Req.json("POST", changing + seg + "/owner", gina.token(), owner)),
                new Slot(
                        "DELETE /v1/groups/{groupId}",
                        doomed,
                        seg -> Req.json("DELETE", changing + seg, gina.token(), null))));
        for (String method : List.of("PUT", "DELETE")) {
            for (String role : List.of("admins", "mutes")) {
                String endpoint = method + " /v1/groups/{groupId}/" + role + "/{userId}";
                slots.add(new Slot(
                        endpoint,
                        groupId,
                        seg -> Req.json(
                                method, changing + seg + "/" + role + "/" + hank.userId(), gina.token(), null)));
                slots.add(new Slot(
                        endpoint,
                        hank.userId(),
                        seg -> Req.json(method, changing + groupId + "/" + role + "/" + seg, gina.token(), null)));
            }
            slots.add(new Slot(
                    method + " /v1/blocks/{userId}",
                    hank.userId(),
                    seg -> Req.json(method, changes + "/v1/blocks/" + seg, gina.token(), null)));
        }
        for (Slot slot : slots) {
            cases.addAll(HttpCases.pathCases(slot.endpoint(), slot.existing(), slot.request()));
        }
        cases.addAll(
                HttpCases.bodiesWhereNoneIsRead("GET /v1/groups/{groupId}", "GET", groups + groupId, gina.token()));
        cases.addAll(HttpCases.bodiesWhereNoneIsRead(
                "DELETE /v1/groups/{groupId}/members/{userId}",
                "DELETE",
                groups + groupId + "/members/nobody-" + hank.userId(),
                gina.token()));
        cases.addAll(
                HttpCases.bodiesWhereNoneIsRead("GET /v1/groups", "GET", api.gateway + "/v1/groups", gina.token()));
        cases.addAll(HttpCases.bodiesWhereNoneIsRead(
                "DELETE /v1/groups/{groupId}", "DELETE", changing + doomed, gina.token()));
        for (String method : List.of("PUT", "DELETE")) {
            for (String role : List.of("admins", "mutes")) {
                if (!(method.equals("PUT") && role.equals("mutes"))) {
                    cases.addAll(HttpCases.bodiesWhereNoneIsRead(
                            method + " /v1/groups/{groupId}/" + role + "/{userId}",
                            method,
                            changing + groupId + "/" + role + "/" + hank.userId(),
                            gina.token()));
                }
            }
            cases.addAll(HttpCases.bodiesWhereNoneIsRead(
                    method + " /v1/blocks/{userId}", method, changes + "/v1/blocks/" + hank.userId(), gina.token()));
        }
        cases.addAll(
                HttpCases.bodiesWhereNoneIsRead("GET /v1/blocks", "GET", api.gateway + "/v1/blocks", gina.token()));
        return cases.stream().map(FUZZ::test);
    }

    @TestFactory
    @Order(4)
    Stream<DynamicTest> wrongMethodsAreRefused() {
        String group = api.gateway + "/v1/groups/" + groupId;
        return Stream.of(
                        HttpCases.wrongMethod("PATCH /v1/groups", "PATCH", api.gateway + "/v1/groups", gina.token()),
                        HttpCases.wrongMethod("DELETE /v1/groups", "DELETE", api.gateway + "/v1/groups", gina.token()),
                        HttpCases.wrongMethod("PUT /v1/groups/{groupId}", "PUT", group, gina.token()),
                        HttpCases.wrongMethod(
                                "POST /v1/groups/{groupId}/admins/{userId}",
                                "POST",
                                group + "/admins/" + hank.userId(),
                                gina.token()),
                        HttpCases.wrongMethod(
                                "GET /v1/groups/{groupId}/admins/{userId}",
                                "GET",
                                group + "/admins/" + hank.userId(),
                                gina.token()),
                        HttpCases.wrongMethod("GET /v1/groups/{groupId}/owner", "GET", group + "/owner", gina.token()),
                        HttpCases.wrongMethod(
                                "DELETE /v1/groups/{groupId}/owner", "DELETE", group + "/owner", gina.token()),
                        HttpCases.wrongMethod(
                                "POST /v1/groups/{groupId}/mutes/{userId}",
                                "POST",
                                group + "/mutes/" + hank.userId(),
                                gina.token()),
                        HttpCases.wrongMethod(
                                "POST /v1/blocks/{userId}",
                                "POST",
                                api.gateway + "/v1/blocks/" + hank.userId(),
                                gina.token()),
                        HttpCases.wrongMethod("POST /v1/blocks", "POST", api.gateway + "/v1/blocks", gina.token()),
                        HttpCases.wrongMethod("DELETE /v1/blocks", "DELETE", api.gateway + "/v1/blocks", gina.token()),
                        HttpCases.wrongMethod(
                                "PUT /v1/groups/{groupId}/members", "PUT", group + "/members", gina.token()),
                        HttpCases.wrongMethod(
                                "GET /v1/groups/{groupId}/members/{userId}",
                                "GET",
                                group + "/members/" + hank.userId(),
                                gina.token()))
                .map(FUZZ::test);
    }

    @TestFactory
    @Order(5)
    Stream<DynamicTest> requestsTheJdkClientCannotSendAreAnsweredWithProblems() {
        int port = TestGateway.port(TestGateway.context());
        List<String> auth = List.of("Authorization: Bearer " + gina.token());
        String endpoint = "GET /v1/groups/{groupId}";
        return Stream.of(
                        new RawHttpCase(
                                endpoint,
                                "invalid percent-encoding %zz",
                                Expect.REJECT,
                                port,
                                "GET /v1/groups/%zz HTTP/1.1",
                                auth,
                                ""),
                        new RawHttpCase(
                                endpoint,
                                "truncated percent-encoding %4",
                                Expect.REJECT,
                                port,
                                "GET /v1/groups/a%4 HTTP/1.1",
                                auth,
                                ""),
                        new RawHttpCase(
                                endpoint,
                                "raw characters | { } in the path",
                                Expect.REJECT,
                                port,
                                "GET /v1/groups/a|b{c} HTTP/1.1",
                                auth,
                                ""),
                        new RawHttpCase(
                                endpoint,
                                "raw invalid UTF-8 bytes FF C3 28 in the path",
                                Expect.REJECT,
                                port,
                                "GET /v1/groups/a\u00ff\u00c3( HTTP/1.1",
                                auth,
                                ""),
                        new RawHttpCase(
                                "PUT /v1/blocks/{userId}",
                                "invalid percent-encoding %zz",
                                Expect.REJECT,
                                port,
                                "PUT /v1/blocks/%zz HTTP/1.1",
                                auth,
                                ""),
                        new RawHttpCase(
                                "PATCH /v1/groups/{groupId}",
                                "raw invalid UTF-8 bytes FF C3 28 in the path",
                                Expect.REJECT,
                                port,
                                "PATCH /v1/groups/a\u00ff\u00c3( HTTP/1.1",
                                List.of(auth.get(0), "Content-Type: application/json", "Content-Length: 2"),
                                "{}"),
                        new RawHttpCase(
                                endpoint,
                                "request line over 8 KB",
                                Expect.REJECT,
                                port,
                                "GET /v1/groups/" + "a".repeat(10_000) + " HTTP/1.1",
                                auth,
                                ""))
                .map(FUZZ::test);
    }

    // ---------------------------------------------------------------- checks of accepted requests

    private static void verifyGroupCreated(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(201);
        String created = answer.json().path("groupId").asString();
        if (sent.path("groupId").isString()) {
            assertThat(created).isEqualTo(sent.path("groupId").asString());
        }
        assertThat(answer.json().path("owner").asString())
                .as("the caller owns it")
                .isEqualTo(gina.userId());
        assertThat(visible(answer.json().path("name").asString()))
                .isEqualTo(visible(sent.path("name").asString()));
        TreeSet<String> members = new TreeSet<>(List.of(gina.userId()));
        sent.path("members").forEach(m -> members.add(m.asString()));
        assertThat(userIds(answer.json().path("members"))).containsExactlyElementsOf(members);
        Answer group = exchange(Req.json("GET", api.gateway + "/v1/groups/" + created, gina.token(), null));
        assertThat(group.status()).as(group.describe()).isEqualTo(200);
        assertThat(visible(group.json().path("name").asString()))
                .as("the name is stored verbatim")
                .isEqualTo(visible(sent.path("name").asString()));
        assertThat(group.json().path("owner").asString()).isEqualTo(gina.userId());
        assertThat(userIds(group.json().path("members"))).containsExactlyElementsOf(members);
    }

    /** Accepted as asked, and the change is in the group's log: the users added, by the owner. */
    private static void verifyMembersAdded(ObjectNode sent, Answer answer) {
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().path("groupId").asString()).isEqualTo(groupId);
        TreeSet<String> added = new TreeSet<>();
        sent.path("userIds").forEach(u -> added.add(u.asString()));
        assertThat(userIds(answer.json().path("userIds"))).containsExactlyElementsOf(added);
        ConversationLog.Entry record = TestGateway.conversations()
                .await(entry -> entry.key().equals("g:" + groupId)
                        && entry.type().equals("members.added")
                        && entry.offset() > lastMembersAdded);
        lastMembersAdded = record.offset();
        assertThat(record.value().path("groupId").asString()).isEqualTo(groupId);
        assertThat(record.value().path("by").asString()).isEqualTo(gina.userId());
        assertThat(userIds(record.value().path("userIds"))).containsExactlyElementsOf(added);
    }

    /** Answered pending, and the change is in the group's log as sent: a field not sent is null there. */
    private static void verifyGroupUpdated(ObjectNode sent, Answer answer) {
        JsonNode record = pendingRecord(answer, "g:" + groupId, "group.updated");
        for (String field : List.of("name", "announcement", "muted")) {
            JsonNode asked = sent.path(field);
            if (asked.isMissingNode() || asked.isNull()) {
                assertThat(record.path(field).isNull()).as(field).isTrue();
            } else {
                assertThat(record.path(field)).as(field + ", verbatim").isEqualTo(asked);
            }
        }
        assertThat(record.path("groupId").asString()).isEqualTo(groupId);
        assertThat(record.path("by").asString()).isEqualTo(gina.userId());
    }

    private static void verifyOwnerChanged(ObjectNode sent, Answer answer) {
        JsonNode record = pendingRecord(answer, "g:" + groupId, "owner.changed");
        assertThat(record.path("userId").asString())
                .isEqualTo(sent.path("userId").asString());
        assertThat(record.path("userId").asString()).isEqualTo(hank.userId());
        assertThat(record.path("groupId").asString()).isEqualTo(groupId);
        assertThat(record.path("by").asString()).isEqualTo(gina.userId());
    }

    private static void verifyMemberMuted(ObjectNode sent, Answer answer) {
        JsonNode record = pendingRecord(answer, "g:" + groupId, "member.muted");
        assertThat(record.path("userId").asString()).isEqualTo(hank.userId());
        assertThat(record.path("muted").asBoolean()).isTrue();
        assertThat(record.path("by").asString()).isEqualTo(gina.userId());
        JsonNode until = sent.path("until");
        if (until.isString()) {
            assertThat(Instant.parse(record.path("until").asString())).isEqualTo(Instant.parse(until.asString()));
        } else {
            assertThat(record.path("until").isNull())
                    .as("no until: until unmuted")
                    .isTrue();
        }
    }

    /** An accepted change answers pending (nothing decides it here) with the event id of its record, returned. */
    private static JsonNode pendingRecord(Answer answer, String key, String type) {
        assertThat(answer.status()).as(answer.describe()).isEqualTo(202);
        assertThat(answer.json().path("status").asString()).isEqualTo("pending");
        String eventId = answer.json().path("eventId").asString();
        ConversationLog.Entry record = TestGateway.conversations()
                .await(entry -> entry.value().path("eventId").asString().equals(eventId));
        assertThat(record.key()).isEqualTo(key);
        assertThat(record.type()).isEqualTo(type);
        return record.value();
    }

    /** An ISO time after now: what a mute's {@code until} may be. */
    private static boolean isFutureTime(String text) {
        try {
            return Instant.parse(text).isAfter(Instant.now());
        } catch (DateTimeException e) {
            return false;
        }
    }

    /** The offset of the last {@code members.added} record checked: each acceptance has a record of its own. */
    private static long lastMembersAdded = -1;

    private static List<String> userIds(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
