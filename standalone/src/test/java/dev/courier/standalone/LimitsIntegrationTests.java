package dev.courier.standalone;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import dev.courier.common.AccessTokens;
import dev.courier.gateway.GatewayApplication;
import dev.courier.testinfra.client.Api;
import dev.courier.web.AuthProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Limits and abuse: rate limits shared across gateway instances, failed logins, body and group sizes, tokens. */
class LimitsIntegrationTests {

    private static final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

    private static Api first;

    private static Api second;

    private final Api api = TestSystem.api();

    /** Two more gateways with small limits, sharing Redis, so the limits' shared state shows. */
    @BeforeAll
    static void startLimitedGateways() {
        String[] limits = {
            "--courier.gateway.limits.send-burst=5",
            "--courier.gateway.limits.sends-per-second=1",
            "--courier.gateway.limits.failed-logins-per-user=3",
            "--courier.gateway.limits.failed-logins-per-address=8",
            "--courier.gateway.max-group-size=3"
        };
        for (int i = 0; i < 2; i++) {
            gateways.add(TestSystem.extra(GatewayApplication.builder(), limits));
        }
        Api shared = TestSystem.api();
        first = new Api("http://127.0.0.1:" + TestSystem.port(gateways.get(0)), shared.sync);
        second = new Api("http://127.0.0.1:" + TestSystem.port(gateways.get(1)), shared.sync);
    }

    @AfterAll
    static void stopLimitedGateways() {
        gateways.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void sendRateLimitIsSharedByEveryGatewayInstance() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        List<Integer> statuses = new ArrayList<>();
        Api.Response limited = null;
        for (int i = 0; i < 10 && limited == null; i++) {
            Api.Response response = (i % 2 == 0 ? first : second).send(alice, "c" + i, "u:" + bob.userId(), "x");
            statuses.add(response.status());
            if (response.status() == 429) {
                limited = response;
            }
        }
        // a burst of 5 over both instances together, then refused (at most one token refilled meanwhile)
        assertThat(statuses.subList(0, 5)).containsOnly(202);
        assertThat(limited).as(statuses.toString()).isNotNull();
        assertThat(statuses.size()).isLessThanOrEqualTo(7);
        assertThat(limited.code()).isEqualTo("rate_limited");
        assertThat(limited.header("Content-Type")).startsWith("application/problem+json");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 2L);
        // other users are not affected
        Api.Session carol = api.newUser("carol");
        assertThat(first.send(carol, "c0", "u:" + bob.userId(), "x").status()).isEqualTo(202);
        // the bucket refills: after Retry-After the same user may send again
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> second.send(alice, Api.uniqueId("later"), "u:" + bob.userId(), "x")
                                .status()
                        == 202);
    }

    @Test
    void aRetryOfAStoredSendIsAnsweredWithItsAcceptanceWhileTheUserIsRateLimited() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        Api.Response accepted = first.send(alice, "first", "u:" + bob.userId(), "x");
        assertThat(accepted.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds())
                    .contains(accepted.body().path("messageId").asString());
        });
        Api.Response limited = null;
        for (int i = 0; i < 10 && limited == null; i++) {
            Api.Response response = first.send(alice, "burst-" + i, "u:" + bob.userId(), "x");
            limited = response.status() == 429 ? response : null;
        }
        assertThat(limited).as("the burst reaches the limit").isNotNull();

        // the client retries its first send (say its answer was lost): the retry takes no token and is not refused
        for (Api api : List.of(first, second)) {
            Api.Response retry = api.send(alice, "first", "u:" + bob.userId(), "x");
            assertThat(retry.status()).as(retry.body().toString()).isEqualTo(202);
            assertThat(retry.body().path("messageId").asString())
                    .isEqualTo(accepted.body().path("messageId").asString());
            assertThat(retry.body().path("acceptedAt").asString())
                    .isEqualTo(accepted.body().path("acceptedAt").asString());
        }
    }

    @Test
    void aRetryThroughAnotherGatewayInstanceGetsTheSameMessageId() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Response viaFirst = first.send(alice, "same-send", "u:" + bob.userId(), "x");
        Api.Response viaSecond = second.send(alice, "same-send", "u:" + bob.userId(), "x");
        assertThat(viaFirst.status()).isEqualTo(202);
        assertThat(viaSecond.status()).isEqualTo(202);
        assertThat(viaSecond.body().path("messageId").asString())
                .isEqualTo(viaFirst.body().path("messageId").asString());
    }

    @Test
    void failedLoginsAreLimitedPerUserAndPerAddress() {
        Api.Session alice = api.newUser("alice");
        for (int i = 0; i < 3; i++) {
            assertThat((i % 2 == 0 ? first : second)
                            .login(alice.userId(), "wrong-password", "phone")
                            .status())
                    .isEqualTo(401);
        }
        Api.Response refused = first.login(alice.userId(), "password-" + alice.userId(), "phone");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("rate_limited");
        assertThat(refused.header("Retry-After")).isNotNull();
        // the same address trying many user ids is stopped too (8 failures per address; 3 used above)
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(
                    second.login(Api.uniqueId("nobody"), "whatever-pw", "phone").status());
        }
        assertThat(statuses).startsWith(401, 401, 401, 401, 401).endsWith(429);
    }

    @Test
    void groupSizeIsLimitedOnCreateAndAdd() {
        Api.Session owner = api.newUser("owner");
        List<String> three = List.of(
                api.newUser("a").userId(),
                api.newUser("b").userId(),
                api.newUser("c").userId());
        Api.Response tooMany = first.createGroup(owner, Api.uniqueId("g"), "G", three);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.code()).isEqualTo("invalid_request");
        assertThat(tooMany.body().path("detail").asString()).contains("members").contains("3");

        String groupId = Api.uniqueId("g");
        assertThat(first.createGroup(owner, groupId, "G", three.subList(0, 2)).status())
                .isEqualTo(201);
        Api.Response full = second.addMembers(owner, groupId, three.subList(2, 3));
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.code()).isEqualTo("conflict");
    }

    @Test
    void oversizedBodiesAreRefusedBeforeParsing() throws Exception {
        Api.Session alice = api.newUser("alice");
        String huge =
                "{\"clientMsgId\":\"c\",\"to\":\"u:x\",\"kind\":\"text\",\"content\":\"" + "x".repeat(200_000) + "\"}";
        Api.Response declared = api.post(api.gateway + "/v1/messages", alice.token(), huge);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.code()).isEqualTo("payload_too_large");
        assertThat(declared.body().path("detail").asString()).contains("body");

        // without Content-Length (chunked), the body is cut off as it passes the limit
        HttpResponse<String> chunked = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(api.sync + "/v1/sync"))
                                .header("Authorization", "Bearer " + alice.token())
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
                                        huge.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains("payload_too_large");
    }

    @Test
    void signedOutExpiredAndForeignTokensAreRefused() {
        Api.Session alice = api.newUser("alice");
        assertThat(api.sync(alice, null, null).status()).isEqualTo(200);
        Api.Response logout = api.call("DELETE", api.gateway + "/v1/sessions", alice.token(), null, null);
        assertThat(logout.status()).isEqualTo(204);
        Api.Response refused = api.send(alice, "c1", "u:" + alice.userId(), "x");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body().path("detail").asString()).contains("signed out");
        // another service trusts a device it saw for a short while only
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.sync(alice, null, null).status() == 401);

        Api.Session bob = api.newUser("bob");
        String expired = new AccessTokens(AuthProperties.DEVELOPMENT_SECRET, Duration.ofSeconds(-1), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        assertThat(api.sync(new Api.Session(bob.userId(), "phone", expired), null, null)
                        .body()
                        .path("detail")
                        .asString())
                .contains("expired");
        String foreign = new AccessTokens(
                        "a-secret-this-deployment-never-used!", Duration.ofHours(1), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        Api.Response wrongKey = api.send(new Api.Session(bob.userId(), "phone", foreign), "c1", "u:x", "x");
        assertThat(wrongKey.status()).isEqualTo(401);
        assertThat(wrongKey.code()).isEqualTo("unauthenticated");
        String unknownDevice = new AccessTokens(
                        AuthProperties.DEVELOPMENT_SECRET, Duration.ofHours(1), Clock.systemUTC())
                .issue(bob.userId(), "never-logged-in")
                .token();
        assertThat(api.sync(new Api.Session(bob.userId(), "never-logged-in", unknownDevice), null, null)
                        .status())
                .isEqualTo(401);
    }

    @Test
    void noOneReadsAnotherUsersInboxOrAnotherGroup() {
        Api.Session owner = api.newUser("owner");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of()).status()).isEqualTo(201);
        api.sendOk(owner, "g:" + groupId, "secret");
        Api.Response peek = api.call("GET", api.gateway + "/v1/groups/" + groupId, outsider.token(), null, null);
        assertThat(peek.status()).isEqualTo(403);
        assertThat(peek.code()).isEqualTo("not_member");
        String ownersKey = api.sync(owner, null, null).body().path("syncKey").asString();
        assertThat(api.sync(outsider, ownersKey, null).code()).isEqualTo("invalid_sync_key");
        assertThat(api.sync(outsider, null, null).body().path("messages")).isEmpty();
    }
}
