package dev.courier.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills a JVM running the embedded servers with SIGKILL (no shutdown hooks run) and checks that the data
 * survives, that the orphaned mariadbd and redis-server are stopped by their watchdogs, and that the
 * servers start again on the same data directories.
 */
class KillNineTests {

    @Test
    void dataSurvivesKillNineOfTheJvm(@TempDir Path dir) throws Exception {
        Path kafkaDir = dir.resolve("kafka");
        Path mariaDbDir = dir.resolve("mariadb");
        Path readyFile = dir.resolve("ready.properties");
        Path output = dir.resolve("probe.log");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process probe = new ProcessBuilder(List.of(
                        java,
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        KillNineProbe.class.getName(),
                        kafkaDir.toString(),
                        mariaDbDir.toString(),
                        readyFile.toString()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        Properties ready;
        try {
            ready = awaitReady(probe, readyFile, output);
        } catch (Throwable e) {
            probe.destroyForcibly();
            throw e;
        }

        long mariaDbPid = Long.parseLong(
                Files.readString(mariaDbDir.resolve("courier-mariadbd.pid")).trim());
        int redisPort = Integer.parseInt(ready.getProperty("redis.port"));
        Optional<ProcessHandle> mariadbd = ProcessHandle.of(mariaDbPid);
        assertThat(mariadbd).isPresent();

        probe.destroyForcibly(); // SIGKILL
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // the watchdogs stop the servers that the killed JVM left behind
        assertThat(mariadbd.get().onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        awaitClosed(redisPort);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0)) {
            assertThat(kafka.clusterId()).isEqualTo(ready.getProperty("kafka.cluster.id"));
            assertThat(EmbeddedKafkaTests.readAll(kafka, KillNineProbe.TOPIC, 1))
                    .containsExactly(KillNineProbe.VALUE);
        }
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(mariaDbDir, 0, "courier");
                Connection connection = EmbeddedMariaDbTests.connect(db)) {
            assertThat(EmbeddedMariaDbTests.strings(connection, "SELECT note FROM kill9 WHERE id = 1"))
                    .containsExactly(KillNineProbe.VALUE);
        }
    }

    private static Properties awaitReady(Process probe, Path readyFile, Path output) throws Exception {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!probe.isAlive()) {
                        throw new AssertionError(
                                "The probe JVM died before it got ready:\n" + Files.readString(output));
                    }
                    return Files.exists(readyFile);
                });
        Properties ready = new Properties();
        try (InputStream in = Files.newInputStream(readyFile)) {
            ready.load(in);
        }
        return ready;
    }

    private static void awaitClosed(int port) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .alias("Redis on port " + port + " outlived the killed JVM")
                .until(() -> {
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        return false;
                    } catch (IOException refused) {
                        return true;
                    }
                });
    }
}
