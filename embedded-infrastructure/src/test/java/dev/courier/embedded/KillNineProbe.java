package dev.courier.embedded;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;

/**
 * The JVM that {@link KillNineTests} kills with SIGKILL: starts Kafka and MariaDB on the given data
 * directories plus a Redis, writes one record / one row, reports readiness through a file, then waits to
 * be killed.
 *
 * <p>Arguments: {@code <kafka dir> <mariadb dir> <ready file>}.
 */
public final class KillNineProbe {

    static final String TOPIC = "kill9";
    static final String VALUE = "written before kill -9";

    private KillNineProbe() {}

    public static void main(String[] args) throws Exception {
        Path kafkaDir = Path.of(args[0]);
        Path mariaDbDir = Path.of(args[1]);
        Path readyFile = Path.of(args[2]);

        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0);
        EmbeddedMariaDb mariaDb = EmbeddedMariaDb.start(mariaDbDir, 0, "courier");
        EmbeddedRedis redis = EmbeddedRedis.start(0);

        EmbeddedKafkaTests.send(kafka, TOPIC, "k", VALUE);
        try (Connection connection =
                        DriverManager.getConnection(mariaDb.jdbcUrl(), mariaDb.username(), mariaDb.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kill9 (id INT PRIMARY KEY, note VARCHAR(100))");
            statement.execute("INSERT INTO kill9 VALUES (1, '" + VALUE + "')");
        }

        Properties ready = new Properties();
        ready.setProperty("redis.port", Integer.toString(redis.port()));
        ready.setProperty("kafka.cluster.id", kafka.clusterId());
        Path partial = readyFile.resolveSibling(readyFile.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            ready.store(out, null);
        }
        Files.move(partial, readyFile, StandardCopyOption.ATOMIC_MOVE);

        Thread.sleep(Long.MAX_VALUE);
    }
}
