package dev.courier.standalone;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.system.CourierSystem;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every service reports its health and exposes Prometheus metrics of its stage. */
class MonitoringIntegrationTests {

    private final Api api = TestSystem.api();

    private static String base(int port) {
        return "http://127.0.0.1:" + port;
    }

    @Test
    void everyServiceReportsHealthWithItsDependencies() {
        CourierSystem system = TestSystem.get();
        for (int port : List.of(
                system.gatewayPort(), system.syncPort(), system.fanoutPort(), system.bridgePort(), system.pushPort())) {
            Api.Response health = api.call("GET", base(port) + "/actuator/health", null, null, null);
            assertThat(health.status()).as(health.body().toString()).isEqualTo(200);
            assertThat(health.body().path("status").asString()).isEqualTo("UP");
            assertThat(health.body()
                            .path("components")
                            .path("db")
                            .path("status")
                            .asString())
                    .isEqualTo("UP");
            Api.Response readiness = api.call("GET", base(port) + "/actuator/health/readiness", null, null, null);
            assertThat(readiness.status()).isEqualTo(200);
        }
        for (int port : List.of(system.gatewayPort(), system.fanoutPort(), system.bridgePort(), system.pushPort())) {
            assertThat(api.call("GET", base(port) + "/actuator/health", null, null, null)
                            .body()
                            .path("components")
                            .path("kafka")
                            .path("status")
                            .asString())
                    .isEqualTo("UP");
        }
        for (int port : List.of(system.gatewayPort(), system.fanoutPort())) {
            assertThat(api.call("GET", base(port) + "/actuator/health", null, null, null)
                            .body()
                            .path("components")
                            .path("redis")
                            .path("status")
                            .asString())
                    .isEqualTo("UP");
        }
        // the sync-api's Redis is its hint connection
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                api.call("GET", base(system.syncPort()) + "/actuator/health", null, null, null)
                                        .body()
                                        .path("components")
                                        .path("redis")
                                        .path("status")
                                        .asString())
                        .isEqualTo("UP"));
    }

    @Test
    void everyStageCountsWhatItDoesInPrometheus() {
        CourierSystem system = TestSystem.get();
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        String sent = api.sendOk(alice, "u:" + bob.userId(), "counted");
        assertThat(api.send(alice, "bad id!", "u:" + bob.userId(), "x").status())
                .isEqualTo(400);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).contains(sent);
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(prometheus(system.gatewayPort()))
                    .contains(
                            "courier_gateway_sends_total{",
                            "result=\"accepted\"",
                            "courier_gateway_send_latency_seconds",
                            "courier_websocket_sessions{");
            assertThat(prometheus(system.fanoutPort()))
                    .contains(
                            "courier_fanout_expansion_entries_total",
                            "courier_fanout_inbox_rows_total",
                            "courier_fanout_inbox_commit_seconds",
                            "courier_fanout_inbox_batch_size",
                            "courier_fanout_hints_total",
                            "kafka_consumer_fetch_manager_records_lag_max");
            assertThat(prometheus(system.syncPort()))
                    .contains("courier_sync_latency_seconds", "courier_sync_long_polls", "courier_websocket_sessions{");
            assertThat(prometheus(system.bridgePort())).contains("kafka_consumer");
            assertThat(prometheus(system.pushPort())).contains("kafka_consumer");
        });
    }

    @Test
    void apiDocsDescribeThePublicEndpointsOfBothApis() {
        CourierSystem system = TestSystem.get();
        Api.Response gateway = api.call("GET", base(system.gatewayPort()) + "/v3/api-docs", null, null, null);
        assertThat(gateway.status()).isEqualTo(200);
        assertThat(gateway.body().path("paths").propertyNames())
                .contains(
                        "/v1/accounts",
                        "/v1/sessions",
                        "/v1/messages",
                        "/v1/groups",
                        "/v1/groups/{groupId}/members",
                        "/v1/contacts/{userId}",
                        "/v1/account");
        assertThat(gateway.body().path("components").path("securitySchemes").has("bearer"))
                .isTrue();
        // the bearer token is not a request field
        assertThat(gateway.body()
                        .path("paths")
                        .path("/v1/messages")
                        .path("post")
                        .path("parameters")
                        .toString())
                .doesNotContain("userId");
        Api.Response sync = api.call("GET", base(system.syncPort()) + "/v3/api-docs", null, null, null);
        assertThat(sync.body().path("paths").propertyNames()).contains("/v1/sync");
        assertThat(api.call("GET", base(system.gatewayPort()) + "/swagger-ui/index.html", null, null, null)
                        .status())
                .isEqualTo(200);
    }

    private String prometheus(int port) {
        Api.Response response = api.call("GET", base(port) + "/actuator/prometheus", null, null, null);
        assertThat(response.status()).isEqualTo(200);
        return response.raw().body();
    }
}
