package dev.courier.standalone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.embedded.Ports;
import dev.courier.testinfra.JavaProcess;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The standalone process killed with -9, or stopped with SIGTERM, under load and restarted on its data directory. */
class StandaloneCrashIntegrationTests {

    @Test
    void standaloneKilledUnderLoadAndRestartedOnItsDataLosesAndDuplicatesNothing() throws Exception {
        interruptUnderLoad("standalone process kill -9, restarted on its data directory", JavaProcess::kill);
    }

    @Test
    void standaloneStoppedWithSigtermUnderLoadShutsDownInOrderAndLosesNothing() throws Exception {
        interruptUnderLoad("standalone process SIGTERM (graceful), restarted on its data directory", process -> {
            process.close(); // SIGTERM, then waits for the exit
            assertThat(process.isAlive()).isFalse();
            assertThat(process.output())
                    .contains("Stopping Courier", "Embedded Kafka on port", "Embedded MariaDB on port");
        });
    }

    private void interruptUnderLoad(String fault, java.util.function.Consumer<JavaProcess> interruption)
            throws Exception {
        Path data = Files.createTempDirectory("courier-standalone-crash");
        List<String> args = List.of(
                "--data-dir=" + data,
                "--gateway-port=" + Ports.freePort(),
                "--sync-port=" + Ports.freePort(),
                "--kafka-port=" + Ports.freePort(),
                "--db-port=" + Ports.freePort(),
                "--redis-port=" + Ports.freePort(),
                "--fanout-port=" + Ports.freePort(),
                "--bridge-port=" + Ports.freePort(),
                "--courier.gateway.limits.send-burst=1000000",
                "--courier.gateway.limits.sends-per-second=1000000");
        int gateway = port(args, "--gateway-port=");
        int sync = port(args, "--sync-port=");
        Api api = new Api("http://127.0.0.1:" + gateway, "http://127.0.0.1:" + sync);

        JavaProcess first = start(args);
        JavaProcess second = null;
        try {
            Api.Session a = api.newUser("a");
            Api.Session b = api.newUser("b");
            Api.Session c = api.newUser("c");
            String group = Api.uniqueId("g");
            assertThat(api.createGroup(a, group, "G", List.of(b.userId(), c.userId()))
                            .status())
                    .isEqualTo(201);
            List<Api.Session> everyone = List.of(a, b, c);
            try (Load load = Load.start(
                    api,
                    List.of(
                            new Load.Stream(a, "u:" + b.userId(), List.of(a, b)),
                            new Load.Stream(c, "g:" + group, everyone)),
                    Duration.ofMillis(10))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> load.acceptedCount() > 200);
                interruption.accept(first);
                second = start(args);
                long after = load.acceptedCount();
                await().atMost(Duration.ofSeconds(120)).until(() -> load.acceptedCount() > after + 200);
                load.close();
                load.awaitDeliveredAndAudit(fault);
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    private static JavaProcess start(List<String> args) {
        JavaProcess process = JavaProcess.start(CourierStandalone.class.getName(), args);
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> process.output().contains("Courier is ready") || !process.isAlive());
        assertThat(process.isAlive()).as(process.output()).isTrue();
        return process;
    }

    private static int port(List<String> args, String prefix) {
        return args.stream()
                .filter(a -> a.startsWith(prefix))
                .map(a -> Integer.parseInt(a.substring(prefix.length())))
                .findFirst()
                .orElseThrow();
    }
}
