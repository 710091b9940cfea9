package dev.courier.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.courier.common.Json;
import tools.jackson.databind.JsonNode;

/**
 * The operations files are checked in the build, since CI has no Docker engine: the compose stack's shape and pinned
 * images, and that the alert rules and the dashboard read meters the services really publish.
 */
class OperationsFilesTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsTheWholeStackWithPinnedImagesHealthChecksAndStartOrder() throws IOException {
        Map<String, Object> compose = compose();
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).containsKeys("kafka", "mysql", "redis", "db-migrations", "gateway", "sync-api",
                "fanout-worker", "bridge-worker");
        for (Map.Entry<String, Object> entry : services.entrySet()) {
            Map<String, Object> service = (Map<String, Object>) entry.getValue();
            String image = (String) service.get("image");
            assertThat(image).as(entry.getKey() + " image").isNotNull().doesNotEndWith(":latest").matches(".+:v?\\d.*");
            if (!entry.getKey().equals("db-migrations") && !entry.getKey().equals("prometheus")) {
                assertThat(service).as(entry.getKey() + " health check").containsKey("healthcheck");
            }
        }
        assertThat((String) service(compose, "kafka").get("image")).startsWith("apache/kafka:");
        assertThat((String) service(compose, "mysql").get("image")).startsWith("mysql:8.4");
        assertThat((String) service(compose, "redis").get("image")).startsWith("redis:7");
        assertThat(service(compose, "db-migrations").get("restart")).isEqualTo("no");
        for (String name : List.of("gateway", "sync-api", "fanout-worker", "bridge-worker")) {
            Map<String, Object> service = service(compose, name);
            Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) service.get("depends_on");
            assertThat(dependsOn.get("db-migrations")).containsEntry("condition", "service_completed_successfully");
            assertThat(dependsOn.get("kafka")).containsEntry("condition", "service_healthy");
            Map<String, Object> environment = (Map<String, Object>) service.get("environment");
            assertThat(environment).containsEntry("COURIER_KAFKA_BOOTSTRAP", "kafka:9092")
                .containsEntry("COURIER_REDIS_URL", "redis://redis:6379");
            assertThat((String) environment.get("COURIER_DB_URL")).startsWith("jdbc:mysql://mysql:3306/courier");
            String jar = (String) ((Map<String, Object>) ((Map<String, Object>) service.get("build")).get("args"))
                .get("JAR");
            assertThat(ROOT.resolve(jar.substring(0, jar.indexOf('/')))).as(jar).isDirectory();
        }
        // workers scale with --scale: no fixed host port may collide
        assertThat(service(compose, "fanout-worker")).doesNotContainKey("ports");
        assertThat(service(compose, "bridge-worker")).doesNotContainKey("ports");
        assertThat(ROOT.resolve("ops/docker/Dockerfile")).exists();
    }

    @Test
    @SuppressWarnings("unchecked")
    void alertRulesAndDashboardReadMetersTheServicesPublish() throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(ROOT.resolve("ops/prometheus/alerts.yml")));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
        StringBuilder expressions = new StringBuilder();
        for (Map<String, Object> group : groups) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                assertThat(rule).containsKeys("alert", "expr", "annotations");
                expressions.append(rule.get("expr")).append('\n');
            }
        }
        JsonNode dashboard = Json.MAPPER.readTree(Files.readString(ROOT.resolve("ops/grafana/courier-dashboard.json")));
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
        dashboard.path("panels").forEach(panel -> panel.path("targets")
            .forEach(target -> expressions.append(target.path("expr").asString()).append('\n')));
        List<String> published = List.of("courier_gateway_sends_total", "courier_gateway_send_latency_seconds_bucket",
                "courier_fanout_inbox_rows_total", "courier_fanout_expansion_entries_total",
                "courier_fanout_inbox_duplicates_total", "courier_fanout_inbox_commit_seconds_bucket",
                "courier_fanout_inbox_batch_size_sum", "courier_fanout_inbox_batch_size_count",
                "courier_fanout_hints_total", "courier_fanout_dlt_total", "courier_bridge_dlt_total",
                "courier_bridge_inbound_accepted_total", "courier_bridge_outbound_published_total",
                "courier_sync_latency_seconds_bucket", "courier_sync_long_polls", "courier_websocket_sessions",
                "kafka_consumer_fetch_manager_records_lag_max", "up");
        Matcher metric = Pattern.compile("\\b(courier_[a-z_]+|kafka_[a-z_]+|up)\\b(?=[{\\[(\\s)]|$)")
            .matcher(expressions);
        int seen = 0;
        while (metric.find()) {
            assertThat(published).as("a metric the services publish").contains(metric.group(1));
            seen++;
        }
        assertThat(seen).isGreaterThan(15);
    }
}
