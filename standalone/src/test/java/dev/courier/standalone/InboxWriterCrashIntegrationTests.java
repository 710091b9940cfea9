package dev.courier.standalone;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.JavaProcess;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inbox writer dies between its database commit and its offset commit; the batch is redelivered to its successor,
 * which must write nothing twice, reorder nothing and skip nothing.
 */
class InboxWriterCrashIntegrationTests {

    private final Api api = TestSystem.api();

    @Test
    void crashAfterDatabaseCommitBeforeOffsetCommitLosesAndDuplicatesNothing() throws Exception {
        Infrastructure infrastructure = CourierInfrastructure.shared();
        CourierSystem system = TestSystem.get();
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        List<String> sent = new ArrayList<>();

        system.stop(CourierSystem.FANOUT_WORKER);
        JavaProcess crashing = null;
        try {
            for (int i = 0; i < 40; i++) {
                sent.add(api.sendOk(alice, "u:" + bob.userId(), "before the crash " + i));
            }
            List<String> args = new ArrayList<>(infrastructure.springArguments());
            args.add("--courier.test.crash-after-rows=2");
            args.add("--server.port=0");
            // a crashed member's partitions move on after this, instead of Kafka's default 45 s
            args.add("--spring.kafka.consumer.properties.session.timeout.ms=6000");
            args.add("--spring.kafka.consumer.properties.heartbeat.interval.ms=1000");
            crashing = JavaProcess.start(CrashingFanoutWorker.class.getName(), args);
            JavaProcess process = crashing;
            await().atMost(Duration.ofSeconds(90)).until(() -> !process.isAlive());
            assertThat(process.exitValue()).as(process.output()).isEqualTo(CrashingFanoutWorker.EXIT_CODE);
            assertThat(process.output()).contains("CRASH: inbox batch committed");
            // the crashed writer did commit rows to the database: they are what redelivery must not duplicate
            assertThat(inboxRows(infrastructure, alice.userId()).size()
                            + inboxRows(infrastructure, bob.userId()).size())
                    .isPositive();
        } finally {
            if (crashing != null) {
                crashing.close();
            }
            system.start(CourierSystem.FANOUT_WORKER);
        }
        for (int i = 0; i < 10; i++) {
            sent.add(api.sendOk(alice, "u:" + bob.userId(), "after the restart " + i));
        }

        Api.Device bobs = api.deviceOf(bob);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messages).hasSizeGreaterThanOrEqualTo(sent.size());
        });
        assertThat(bobs.messageIds()).containsExactlyElementsOf(sent);
        List<long[]> rows = inboxRows(infrastructure, bob.userId());
        assertThat(rows).hasSize(sent.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i)[0]).as("seq without gaps or repeats").isEqualTo(i + 1);
        }
    }

    /** {@code [seq]} of every inbox row of the user, in seq order, read straight from the database. */
    private static List<long[]> inboxRows(Infrastructure infrastructure, String userId) throws SQLException {
        try (Connection connection = DriverManager.getConnection(
                        infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
                PreparedStatement statement =
                        connection.prepareStatement("SELECT seq FROM inbox WHERE user_id = ? ORDER BY seq")) {
            statement.setString(1, userId);
            List<long[]> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(new long[] {rs.getLong(1)});
                }
            }
            return rows;
        }
    }
}
