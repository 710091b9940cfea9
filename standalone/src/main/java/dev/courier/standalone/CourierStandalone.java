package dev.courier.standalone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.courier.embedded.EmbeddedKafka;
import dev.courier.embedded.EmbeddedMariaDb;
import dev.courier.embedded.EmbeddedRedis;
import dev.courier.migrations.Migrator;
import dev.courier.system.CourierSystem;

/**
 * All of Courier in one process: embedded Kafka (KRaft), MariaDB and Redis, the migrations, then the gateway, the
 * sync-api, the fanout-worker, the bridge-worker and, once a push provider is configured (for example
 * {@code --courier.push.webhook.url=... --courier.push.webhook.secret=...}, or their environment variables), the
 * push-worker.
 *
 * <pre>
 * java -jar courier-standalone.jar [--data-dir=DIR] [--gateway-port=8080] [--sync-port=8081]
 *      [--kafka-port=9092] [--db-port=3307] [--redis-port=6380] [--fanout-port=8091] [--bridge-port=8092]
 *      [--push-port=8093] [--any.spring.or.courier.setting=value ...]
 * </pre>
 * Without {@code --data-dir} everything lives in a temporary directory removed at exit; with it, data survives a
 * restart, also after {@code kill -9}. Each option can also be given as an environment variable:
 * {@code COURIER_DATA_DIR}, {@code COURIER_GATEWAY_PORT}, {@code COURIER_SYNC_PORT}, {@code COURIER_KAFKA_PORT},
 * {@code COURIER_DB_PORT}, {@code COURIER_REDIS_PORT}, {@code COURIER_FANOUT_PORT}, {@code COURIER_BRIDGE_PORT},
 * {@code COURIER_PUSH_PORT}.
 */
public final class CourierStandalone {

    private static final Logger log = LoggerFactory.getLogger(CourierStandalone.class);

    /**
     * The demo chat page, served by the gateway of the standalone process only: it is in this jar's
     * {@code courier-demo/demo/} and reaches the sync-api on its default port (or {@code ?sync=URL}).
     */
    public static final String DEMO_PAGE = "--spring.web.resources.static-locations=classpath:/courier-demo/";

    private static final List<String> OPTIONS = List.of(
            "data-dir",
            "gateway-port",
            "sync-port",
            "kafka-port",
            "db-port",
            "redis-port",
            "fanout-port",
            "bridge-port",
            "push-port");

    private CourierStandalone() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        List<String> passThrough = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 2 ? arg.substring(2, eq) : null;
            if (arg.equals("--help") || arg.equals("-h")) {
                log.info("usage: java -jar courier-standalone.jar [--data-dir=DIR] [--gateway-port=8080]"
                        + " [--sync-port=8081] [--kafka-port=9092] [--db-port=3307] [--redis-port=6380]"
                        + " [--fanout-port=8091] [--bridge-port=8092] [--push-port=8093]"
                        + " [--any.spring.or.courier.setting=value]");
                return;
            } else if (name != null && OPTIONS.contains(name)) {
                options.put(name, arg.substring(eq + 1));
            } else if (name != null) {
                passThrough.add(arg);
            } else {
                throw new IllegalArgumentException("unknown argument " + arg + "; try --help");
            }
        }
        String dataDirOption = option(options, "data-dir", "COURIER_DATA_DIR", null);
        Path dataDir = dataDirOption == null ? null : Path.of(dataDirOption).toAbsolutePath();
        int gatewayPort = Integer.parseInt(option(options, "gateway-port", "COURIER_GATEWAY_PORT", "8080"));
        int syncPort = Integer.parseInt(option(options, "sync-port", "COURIER_SYNC_PORT", "8081"));
        int kafkaPort = Integer.parseInt(option(options, "kafka-port", "COURIER_KAFKA_PORT", "9092"));
        int dbPort = Integer.parseInt(option(options, "db-port", "COURIER_DB_PORT", "3307"));
        int redisPort = Integer.parseInt(option(options, "redis-port", "COURIER_REDIS_PORT", "6380"));
        int fanoutPort = Integer.parseInt(option(options, "fanout-port", "COURIER_FANOUT_PORT", "8091"));
        int bridgePort = Integer.parseInt(option(options, "bridge-port", "COURIER_BRIDGE_PORT", "8092"));
        int pushPort = Integer.parseInt(option(options, "push-port", "COURIER_PUSH_PORT", "8093"));

        long started = System.nanoTime();
        List<AutoCloseable> running = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Stopping Courier");
                            for (int i = running.size() - 1; i >= 0; i--) {
                                try {
                                    running.get(i).close();
                                } catch (Exception e) {
                                    log.warn("While stopping: {}", e.toString());
                                }
                            }
                            stopped.countDown();
                        },
                        "courier-shutdown"));

        if (dataDir != null) {
            Files.createDirectories(dataDir);
        }
        // the shutdown hook above stops the services before the servers they use
        EmbeddedMariaDb db = EmbeddedMariaDb.start(sub(dataDir, "mariadb"), dbPort, "courier");
        db.closeOnlyExplicitly();
        running.add(db);
        EmbeddedRedis redis = EmbeddedRedis.start(redisPort);
        redis.closeOnlyExplicitly();
        running.add(redis);
        EmbeddedKafka kafka = EmbeddedKafka.start(sub(dataDir, "kafka"), kafkaPort);
        kafka.closeOnlyExplicitly();
        running.add(kafka);
        Migrator.migrate(db.jdbcUrl(), db.username(), db.password());

        List<String> servers = List.of(
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(),
                "--spring.data.redis.url=" + redis.url());
        List<String> extra = new ArrayList<>(passThrough);
        extra.add(DEMO_PAGE);
        CourierSystem system = CourierSystem.start(
                servers, new CourierSystem.Ports(gatewayPort, syncPort, fanoutPort, bridgePort, pushPort), extra);
        running.add(system);

        log.info(
                """

                Courier is ready in {} s{}
                  demo      http://127.0.0.1:{}/demo/index.html   (a chat page: open it in two browsers)
                  gateway   http://127.0.0.1:{}/   (REST; WebSocket ws://127.0.0.1:{}/v1/ws)
                  sync-api  http://127.0.0.1:{}/   (POST /v1/sync; WebSocket ws://127.0.0.1:{}/v1/stream)
                  workers   http://127.0.0.1:{}/actuator (fanout-worker), http://127.0.0.1:{}/actuator (bridge-worker)
                  pushes    {}
                  kafka     {}
                  database  {} (user {})
                  redis     {}
                  data      {}
                Stop with Ctrl-C.
                """,
                Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0,
                "",
                system.gatewayPort(),
                system.gatewayPort(),
                system.gatewayPort(),
                system.syncPort(),
                system.syncPort(),
                system.fanoutPort(),
                system.bridgePort(),
                system.hasPushWorker()
                        ? "push-worker http://127.0.0.1:" + system.pushPort() + "/actuator"
                        : "off (set --courier.push.webhook.url and --courier.push.webhook.secret, or APNs/FCM)",
                kafka.bootstrapServers(),
                db.jdbcUrl(),
                db.username(),
                redis.url(),
                dataDir != null ? dataDir : "temporary (gone at exit; pass --data-dir=DIR to keep it)");
        stopped.await();
    }

    private static Path sub(Path dataDir, String name) {
        return dataDir == null ? null : dataDir.resolve(name);
    }

    private static String option(Map<String, String> options, String name, String env, String fallback) {
        String value = options.get(name);
        if (value == null) {
            value = System.getenv(env);
        }
        return value != null && !value.isBlank() ? value : fallback;
    }
}
