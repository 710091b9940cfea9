package dev.courier.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations files are checked in the build, since CI has no Docker engine: the compose stack's shape and pinned
 * images (as Compose reads it alone and with the cluster's env file), and that the alert rules and the dashboard read
 * meters the services really publish.
 */
class OperationsFilesTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z0-9_]+)(?::-([^}]*))?}");

    private static final List<String> COURIER_SERVICES =
            List.of("gateway", "sync-api", "fanout-worker", "bridge-worker", "push-worker");

    private static Map<String, Object> compose() throws IOException {
        return compose(Map.of());
    }

    /** The compose file as Compose reads it with these variables: {@code ${NAME:-default}} resolved, {@code $$} a $. */
    private static Map<String, Object> compose(Map<String, String> variables) throws IOException {
        Matcher matcher = VARIABLE.matcher(Files.readString(ROOT.resolve("docker-compose.yml")));
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String value;
            if (matcher.group().equals("$$")) {
                value = "$";
            } else {
                String given = variables.get(matcher.group(1));
                value = given != null && !given.isEmpty() ? given : matcher.group(2) != null ? matcher.group(2) : "";
            }
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(resolved);
        return new Yaml().load(resolved.toString());
    }

    /** {@code NAME=value} lines, as {@code docker compose --env-file} reads them. */
    private static Map<String, String> envFile(String path) throws IOException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve(path))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                variables.put(
                        line.substring(0, line.indexOf('=')).trim(),
                        line.substring(line.indexOf('=') + 1).trim());
            }
        }
        return variables;
    }

    /** The services Compose starts with these variables: those without profiles and those of an active profile. */
    @SuppressWarnings("unchecked")
    private static List<String> activeServices(Map<String, Object> compose, Map<String, String> variables) {
        Set<String> profiles = new HashSet<>(
                Arrays.asList(variables.getOrDefault("COMPOSE_PROFILES", "").split(",")));
        return ((Map<String, Object>) compose.get("services"))
                .entrySet().stream()
                        .filter(entry -> {
                            List<String> of = (List<String>) ((Map<String, Object>) entry.getValue()).get("profiles");
                            return of == null || of.stream().anyMatch(profiles::contains);
                        })
                        .map(Map.Entry::getKey)
                        .toList();
    }

    /** The active Kafka nodes, in file order. */
    private static List<String> kafkaNodes(Map<String, Object> compose, Map<String, String> variables) {
        return activeServices(compose, variables).stream()
                .filter(name -> ((String) service(compose, name).get("image")).startsWith("apache/kafka:"))
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> compose, String service) {
        Map<String, Object> environment =
                (Map<String, Object>) service(compose, service).get("environment");
        Map<String, String> values = new LinkedHashMap<>();
        environment.forEach((name, value) -> values.put(name, String.valueOf(value)));
        return values;
    }

    @SuppressWarnings("unchecked")
    private static String healthCheck(Map<String, Object> compose, String service) {
        return String.join(" ", (List<String>)
                ((Map<String, Object>) service(compose, service).get("healthcheck")).get("test"));
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
        assertThat(services)
                .containsKeys(
                        "kafka",
                        "mysql",
                        "redis",
                        "db-migrations",
                        "gateway",
                        "sync-api",
                        "fanout-worker",
                        "bridge-worker",
                        "push-worker");
        for (Map.Entry<String, Object> entry : services.entrySet()) {
            Map<String, Object> service = (Map<String, Object>) entry.getValue();
            String image = (String) service.get("image");
            assertThat(image)
                    .as(entry.getKey() + " image")
                    .isNotNull()
                    .doesNotEndWith(":latest")
                    .matches(".+:v?\\d.*");
            if (!entry.getKey().equals("db-migrations") && !entry.getKey().equals("prometheus")) {
                assertThat(service).as(entry.getKey() + " health check").containsKey("healthcheck");
            }
        }
        // each version is defined once, in the parent POM: the compose file cannot read it, so it is held to it here
        Properties versions = new Properties();
        try (var in = OperationsFilesTests.class.getResourceAsStream("/versions.properties")) {
            versions.load(in);
        }
        for (String name : services.keySet()) {
            if (name.startsWith("kafka")) {
                assertThat((String) service(compose, name).get("image"))
                        .isEqualTo("apache/kafka:" + versions.getProperty("kafka"));
            }
        }
        assertThat((String) service(compose, "mysql").get("image")).isEqualTo("mysql:" + versions.getProperty("mysql"));
        assertThat((List<String>) service(compose, "mysql").get("command")).contains("--innodb-buffer-pool-size=1G");
        assertThat((String) service(compose, "redis").get("image")).isEqualTo("redis:" + versions.getProperty("redis"));
        assertThat(service(compose, "db-migrations").get("restart")).isEqualTo("no");
        for (String name : COURIER_SERVICES) {
            Map<String, Object> service = service(compose, name);
            Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) service.get("depends_on");
            assertThat(dependsOn.get("db-migrations")).containsEntry("condition", "service_completed_successfully");
            assertThat(dependsOn.get("kafka")).containsEntry("condition", "service_healthy");
            Map<String, Object> environment = (Map<String, Object>) service.get("environment");
            assertThat(environment)
                    .containsEntry("COURIER_KAFKA_BOOTSTRAP", "kafka:9092")
                    .containsEntry("COURIER_REDIS_URL", "redis://redis:6379");
            assertThat((String) environment.get("COURIER_DB_URL")).startsWith("jdbc:mysql://mysql:3306/courier");
            String jar = (String)
                    ((Map<String, Object>) ((Map<String, Object>) service.get("build")).get("args")).get("JAR");
            assertThat(ROOT.resolve(jar.substring(0, jar.indexOf('/')))).as(jar).isDirectory();
        }
        // workers scale with --scale: no fixed host port may collide
        assertThat(service(compose, "fanout-worker")).doesNotContainKey("ports");
        assertThat(service(compose, "bridge-worker")).doesNotContainKey("ports");
        assertThat(service(compose, "push-worker")).doesNotContainKey("ports");
        // no provider is on unless the operator's environment turns it on
        assertThat(environment(compose, "push-worker"))
                .containsEntry("COURIER_PUSH_WEBHOOK_URL", "")
                .containsEntry("COURIER_PUSH_APNS_KEY_ID", "")
                .containsEntry("COURIER_PUSH_FCM_SERVICE_ACCOUNT", "");
        assertThat(ROOT.resolve("ops/docker/Dockerfile")).exists();
    }

    @Test
    void byDefaultKafkaIsOneBrokerAndEveryTopicHasOneReplica() throws IOException {
        Map<String, Object> compose = compose();
        assertThat(kafkaNodes(compose, Map.of())).containsExactly("kafka");
        assertThat(environment(compose, "kafka"))
                .containsEntry("KAFKA_NODE_ID", "1")
                .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka:9093")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "1");
        assertThat(healthCheck(compose, "kafka")).endsWith("-ge 1 ]");
        for (String name : COURIER_SERVICES) {
            assertThat(environment(compose, name))
                    .as(name)
                    .containsEntry("COURIER_KAFKA_BOOTSTRAP", "kafka:9092")
                    .containsEntry("COURIER_KAFKA_TOPICS_REPLICATION_FACTOR", "1")
                    .containsEntry("COURIER_KAFKA_TOPICS_MIN_INSYNC_REPLICAS", "1");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theClusterEnvFileRunsThreeBrokersOfOneQuorumWithReplicationThreeAndMinInSyncTwo() throws IOException {
        Map<String, String> variables = envFile("ops/docker/cluster.env");
        Map<String, Object> compose = compose(variables);
        List<String> nodes = kafkaNodes(compose, variables);
        assertThat(nodes).containsExactly("kafka", "kafka-2", "kafka-3");
        String image = (String) service(compose, "kafka").get("image");
        Set<String> ids = new HashSet<>();
        Set<String> volumes = new HashSet<>();
        Set<Object> hostPorts = new HashSet<>();
        for (String node : nodes) {
            Map<String, Object> service = service(compose, node);
            Map<String, String> environment = environment(compose, node);
            assertThat(service.get("image")).as(node).isEqualTo(image);
            assertThat(environment)
                    .as(node)
                    .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                    .containsEntry("CLUSTER_ID", environment(compose, "kafka").get("CLUSTER_ID"))
                    .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093")
                    .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2");
            assertThat(environment.get("KAFKA_ADVERTISED_LISTENERS"))
                    .as(node)
                    .contains("PLAINTEXT://" + node + ":9092");
            ids.add(environment.get("KAFKA_NODE_ID"));
            // the log directory is the node's own volume, so a restarted broker finds its data
            List<String> mounts = (List<String>) service.get("volumes");
            assertThat(mounts).as(node).hasSize(1);
            String[] mount = mounts.get(0).split(":");
            assertThat(mount[1]).as(node).isEqualTo(environment.get("KAFKA_LOG_DIRS"));
            volumes.add(mount[0]);
            hostPorts.addAll((List<Object>) service.get("ports"));
        }
        assertThat(ids).containsExactlyInAnyOrder("1", "2", "3");
        assertThat(volumes).hasSize(3);
        assertThat((Map<String, Object>) compose.get("volumes")).containsKeys(volumes.toArray(String[]::new));
        assertThat(hostPorts).hasSize(3);
        // the services start once all three brokers are registered, and know all three
        assertThat(healthCheck(compose, "kafka")).endsWith("-ge 3 ]");
        String bootstrap = nodes.stream().map(node -> node + ":9092").collect(Collectors.joining(","));
        for (String name : COURIER_SERVICES) {
            assertThat(environment(compose, name))
                    .as(name)
                    .containsEntry("COURIER_KAFKA_BOOTSTRAP", bootstrap)
                    .containsEntry("COURIER_KAFKA_TOPICS_REPLICATION_FACTOR", "3")
                    .containsEntry("COURIER_KAFKA_TOPICS_MIN_INSYNC_REPLICAS", "2");
        }
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
        dashboard
                .path("panels")
                .forEach(panel -> panel.path("targets")
                        .forEach(target -> expressions
                                .append(target.path("expr").asString())
                                .append('\n')));
        List<String> published = List.of(
                "courier_gateway_sends_total",
                "courier_gateway_send_latency_seconds_bucket",
                "courier_fanout_inbox_rows_total",
                "courier_fanout_expansion_entries_total",
                "courier_fanout_inbox_duplicates_total",
                "courier_fanout_inbox_commit_seconds_bucket",
                "courier_fanout_inbox_batch_size_sum",
                "courier_fanout_inbox_batch_size_count",
                "courier_fanout_hints_total",
                "courier_fanout_dlt_total",
                "courier_bridge_dlt_total",
                "courier_bridge_inbound_accepted_total",
                "courier_bridge_outbound_published_total",
                "courier_sync_latency_seconds_bucket",
                "courier_sync_long_polls",
                "courier_push_sent_total",
                "courier_push_failed_total",
                "courier_websocket_sessions",
                "kafka_consumer_fetch_manager_records_lag_max",
                "up");
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
