package dev.courier.gateway.group;

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
 * Fuzz of groups ({@code POST /v1/groups}, {@code GET /v1/groups/{groupId}}, {@code POST} and {@code DELETE} of
 * members): hostile bodies, tokens, path segments, methods and raw requests, each answered with a 4xx problem+json and
 * never a 500; a group created is stored verbatim, and an accepted membership change is in the group's log as asked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupsFuzzIntegrationTests {

    private static final Fuzz FUZZ = new Fuzz("groups");

    private static Api api;

    /** owns the group, with hank */
    private static Api.Session gina;

    private static Api.Session hank;

    private static String groupId;

    private static Map<String, String> tokens;

    @BeforeAll
    static void createGroup() {
        api = TestGateway.api();
        gina = api.newUser("gina");
        hank = api.newUser("hank");
        groupId = Api.uniqueId("g");
        Api.Response group = api.createGroup(gina, groupId, "Fuzz group", List.of(hank.userId()));
        assertThat(group.status()).as(group.body().toString()).isEqualTo(201);
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
                        GroupsFuzzIntegrationTests::verifyMembersAdded));
        return endpoints.stream().flatMap(JsonBodies::bodyCases).map(FUZZ::test);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyGroupEndpointRefusesHostileTokensWith401() {
        String group = api.gateway + "/v1/groups/" + groupId;
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
                                tokens))
                .flatMap(List::stream)
                .map(FUZZ::test);
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> hostileGroupAndMemberIdsAreNotFoundOrRefused() {
        List<HttpCase> cases = new ArrayList<>();
        String groups = api.gateway + "/v1/groups/";
        String members = "{\"userIds\":[\"" + hank.userId() + "\"]}";
        record Slot(String endpoint, String existing, Function<String, Req> request) {}
        List<Slot> slots = List.of(
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
                        seg -> Req.json("DELETE", groups + groupId + "/members/" + seg, gina.token(), null)));
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
        return cases.stream().map(FUZZ::test);
    }

    @TestFactory
    @Order(4)
    Stream<DynamicTest> wrongMethodsAreRefused() {
        String group = api.gateway + "/v1/groups/" + groupId;
        return Stream.of(
                        HttpCases.wrongMethod("PATCH /v1/groups", "PATCH", api.gateway + "/v1/groups", gina.token()),
                        HttpCases.wrongMethod("DELETE /v1/groups/{groupId}", "DELETE", group, gina.token()),
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

    /** The offset of the last {@code members.added} record checked: each acceptance has a record of its own. */
    private static long lastMembersAdded = -1;

    private static List<String> userIds(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
