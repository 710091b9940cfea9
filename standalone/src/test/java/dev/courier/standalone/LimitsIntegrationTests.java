package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import dev.courier.gateway.GatewayApplication;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Limits shared by every gateway instance (through Redis): the send rate and failed logins; a retry through another
 * instance gets the same message id; a sign-out at the gateway reaches the sync-api. A gateway's own limits (one
 * instance) are tested in gateway.
 */
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
            "--courier.gateway.limits.failed-logins-per-address=8"
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
    void aDeviceSignedOutAtTheGatewayIsRefusedByTheSyncApiWithinItsDeviceCheckCache() {
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
    }
}
