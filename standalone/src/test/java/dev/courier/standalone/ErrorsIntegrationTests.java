package dev.courier.standalone;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every error a client can provoke on the core path is a problem+json answer with the status and stable code of
 * PROTOCOL.md, naming the offending field; none is a 500, and none loses an earlier accepted message.
 */
class ErrorsIntegrationTests {

    private final Api api = TestSystem.api();

    private static void assertProblem(Api.Response response, int status, String code, String detailContains) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.code()).isEqualTo(code);
        assertThat(response.body().path("status").asInt()).isEqualTo(status);
        assertThat(response.body().path("title").asString()).isNotBlank();
        assertThat(response.body().path("type").asString()).endsWith("/" + code);
        assertThat(response.body().path("detail").asString()).contains(detailContains);
    }

    @Test
    void missingOrBadTokenIsUnauthenticated() {
        String send = Api.json("clientMsgId", "c1", "to", "u:bob", "kind", "text", "content", "x");
        assertProblem(api.post(api.gateway + "/v1/messages", null, send), 401, "unauthenticated", "Authorization");
        assertProblem(api.post(api.gateway + "/v1/messages", "not-a-token", send), 401, "unauthenticated", "token");
        assertProblem(
                api.call("POST", api.gateway + "/v1/messages", null, send, "application/json"),
                401,
                "unauthenticated",
                "");
        Api.Response basic = api.call("POST", api.sync + "/v1/sync", null, "{}", "application/json");
        assertProblem(basic, 401, "unauthenticated", "Authorization");
        assertThat(basic.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertProblem(
                api.post(api.sync + "/v1/sync", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA", "{}"), 401, "unauthenticated", "");
        assertProblem(
                api.post(api.gateway + "/v1/groups", null, Api.json("name", "x", "members", List.of())),
                401,
                "unauthenticated",
                "");
    }

    @Test
    void wrongCredentialsAreUnauthenticated() {
        Api.Session alice = api.newUser("alice");
        assertProblem(api.login(alice.userId(), "wrong-password", "phone"), 401, "unauthenticated", "password");
        assertProblem(api.login("nobody-" + alice.userId(), "whatever-pw", "phone"), 401, "unauthenticated", "");
        assertProblem(
                api.login(alice.userId(), "password-" + alice.userId(), "bad device!"),
                400,
                "invalid_request",
                "deviceId");
    }

    @Test
    void takenIdsConflict() {
        Api.Session alice = api.newUser("alice");
        assertProblem(api.createAccount(alice.userId(), "another-password", "Other"), 409, "conflict", "userId");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(alice, groupId, "G", List.of()).status()).isEqualTo(201);
        assertProblem(api.createGroup(alice, groupId, "G", List.of()), 409, "conflict", "groupId");
    }

    @Test
    void invalidAccountsNameTheField() {
        assertProblem(api.createAccount("Bad User", "long-enough-pw", "B"), 400, "invalid_request", "userId");
        assertProblem(api.createAccount(Api.uniqueId("u"), "short", "B"), 400, "invalid_request", "password");
        assertProblem(
                api.post(
                        api.gateway + "/v1/accounts",
                        null,
                        Api.json("userId", Api.uniqueId("u"), "password", "long-enough-pw")),
                400,
                "invalid_request",
                "displayName");
        assertProblem(api.createAccount(Api.uniqueId("u"), "p".repeat(73), "B"), 400, "invalid_request", "password");
    }

    @Test
    void unknownRecipientsAreNotFound() {
        Api.Session alice = api.newUser("alice");
        assertProblem(api.send(alice, "c1", "u:nobody-" + alice.userId(), "x"), 404, "not_found", "to");
        assertProblem(api.send(alice, "c1", "g:nogroup-" + alice.userId(), "x"), 404, "not_found", "to");
        assertProblem(
                api.createGroup(alice, null, "G", List.of("nobody-" + alice.userId())), 404, "not_found", "members");
        assertProblem(
                api.addMembers(alice, "nogroup-" + alice.userId(), List.of(alice.userId())), 404, "not_found", "group");
        assertProblem(api.removeMember(alice, "nogroup-" + alice.userId(), alice.userId()), 404, "not_found", "group");
    }

    @Test
    void groupRulesAreEnforced() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        assertProblem(api.send(outsider, "c1", "g:" + groupId, "let me in"), 403, "not_member", groupId);
        assertProblem(api.addMembers(bob, groupId, List.of(outsider.userId())), 403, "forbidden", "owner");
        assertProblem(api.removeMember(outsider, groupId, bob.userId()), 403, "forbidden", "owner");
        assertProblem(api.removeMember(owner, groupId, owner.userId()), 409, "conflict", "owner");
        assertProblem(api.addMembers(owner, groupId, List.of("nobody-" + owner.userId())), 404, "not_found", "userIds");
        assertProblem(api.addMembers(owner, groupId, List.of("Not Valid")), 400, "invalid_request", "userIds[0]");
        assertProblem(api.addMembers(owner, groupId, List.of()), 400, "invalid_request", "userIds");
        assertProblem(api.createGroup(owner, "Bad Id", "G", List.of()), 400, "invalid_request", "groupId");
        assertProblem(api.createGroup(owner, null, "", List.of()), 400, "invalid_request", "name");
        Api.Response generated = api.createGroup(owner, null, "Generated id", List.of());
        assertThat(generated.status()).isEqualTo(201);
        assertThat(generated.body().path("groupId").asString()).matches("[a-z0-9._-]{1,64}");
    }

    @Test
    void invalidSendsNameTheFieldAndLoseNothingAccepted() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String to = "u:" + bob.userId();
        String accepted = api.sendOk(alice, to, "accepted before the bad ones");
        String url = api.gateway + "/v1/messages";

        assertProblem(
                api.post(url, alice.token(), "{\"clientMsgId\": \"c1\", \"to\": "),
                400,
                "invalid_request",
                "malformed JSON");
        assertProblem(api.post(url, alice.token(), ""), 400, "invalid_request", "body");
        assertProblem(api.post(url, alice.token(), "[1, 2]"), 400, "invalid_request", "");
        assertProblem(
                api.post(url, alice.token(), Api.json("to", to, "kind", "text", "content", "x")),
                400,
                "invalid_request",
                "clientMsgId");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "kind", "text", "content", "x")),
                400,
                "invalid_request",
                "to");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "to", to, "content", "x")),
                400,
                "invalid_request",
                "kind");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "to", to, "kind", "text")),
                400,
                "invalid_request",
                "content");
        assertProblem(api.send(alice, "has space", to, "x"), 400, "invalid_request", "clientMsgId");
        assertProblem(api.send(alice, "x".repeat(65), to, "x"), 400, "invalid_request", "clientMsgId");
        assertProblem(api.send(alice, "c1", "bob", "x"), 400, "invalid_request", "to");
        assertProblem(api.send(alice, "c1", "u:Bob", "x"), 400, "invalid_request", "to");
        assertProblem(api.send(alice, "c1", "u:" + alice.userId(), "x"), 400, "invalid_request", "to");
        assertProblem(
                api.post(url, alice.token(), Api.json("clientMsgId", "c1", "to", to, "kind", "gif", "content", "x")),
                400,
                "invalid_request",
                "kind");
        assertProblem(
                api.post(
                        url,
                        alice.token(),
                        Api.json("clientMsgId", "c1", "to", to, "kind", "image", "content", "not a reference")),
                400,
                "invalid_request",
                "content");
        assertProblem(
                api.post(
                        url,
                        alice.token(),
                        "{\"clientMsgId\": {\"a\": 1}, \"to\": \"" + to
                                + "\", \"kind\": \"text\", \"content\": \"x\"}"),
                400,
                "invalid_request",
                "clientMsgId");
        assertProblem(
                api.call("POST", url, alice.token(), "clientMsgId=c1", "application/x-www-form-urlencoded"),
                415,
                "invalid_request",
                "application/json");
        assertProblem(api.send(alice, "c-big", to, "x".repeat(16 * 1024 + 1)), 413, "payload_too_large", "content");
        // exactly the limit is fine, in bytes of UTF-8
        assertThat(api.send(alice, "c-limit", to, "é".repeat(8 * 1024)).status())
                .isEqualTo(202);

        Api.Device bobs = api.deviceOf(bob);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messages).hasSize(2);
        });
        assertThat(bobs.messageIds().getFirst()).isEqualTo(accepted);
    }

    @Test
    void badSyncRequestsAreRejected() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String alicesKey = api.sync(alice, null, null).body().path("syncKey").asString();
        assertProblem(api.sync(bob, alicesKey, null), 400, "invalid_sync_key", "another user");
        assertProblem(api.sync(bob, "garbage!", null), 400, "invalid_sync_key", "syncKey");
        assertProblem(
                api.sync(bob, alicesKey.substring(0, alicesKey.length() - 3) + "AAA", null),
                400,
                "invalid_sync_key",
                "syncKey");
        assertProblem(api.sync(bob, null, 0), 400, "invalid_request", "limit");
        assertProblem(api.sync(bob, null, 501), 400, "invalid_request", "limit");
        assertProblem(api.sync(bob, null, null, -1L), 400, "invalid_request", "waitMs");
        assertProblem(api.sync(bob, null, null, 30_001L), 400, "invalid_request", "waitMs");
        assertProblem(api.post(api.sync + "/v1/sync?waitMs=soon", bob.token(), "{}"), 400, "invalid_request", "waitMs");
        assertProblem(
                api.post(api.sync + "/v1/sync", bob.token(), "{\"limit\": \"many\"}"), 400, "invalid_request", "limit");
        assertProblem(
                api.post(api.sync + "/v1/sync", bob.token(), "{\"syncKey\": \"abc"),
                400,
                "invalid_request",
                "end-of-input");
        assertProblem(
                api.post(api.sync + "/v1/sync", bob.token(), "{\"limit\": 5,"),
                400,
                "invalid_request",
                "malformed JSON");
        assertProblem(
                api.post(api.sync + "/v1/sync", bob.token(), "{\"syncKey\": 12}"), 400, "invalid_request", "syncKey");
    }

    @Test
    void unknownRoutesAndMethodsAreProblems() {
        Api.Session alice = api.newUser("alice");
        assertProblem(
                api.call("GET", api.gateway + "/v1/nothing-here", alice.token(), null, null), 404, "not_found", "");
        assertProblem(
                api.call("GET", api.gateway + "/v1/messages", alice.token(), null, null),
                405,
                "invalid_request",
                "GET");
        assertProblem(api.call("GET", api.sync + "/v1/nothing-here", alice.token(), null, null), 404, "not_found", "");
    }

    @Test
    void indexesAnswer() {
        assertThat(api.call("GET", api.gateway + "/", null, null, null)
                        .body()
                        .path("service")
                        .asString())
                .isEqualTo("courier-gateway");
        assertThat(api.call("GET", api.sync + "/", null, null, null)
                        .body()
                        .path("service")
                        .asString())
                .isEqualTo("courier-sync-api");
    }
}
