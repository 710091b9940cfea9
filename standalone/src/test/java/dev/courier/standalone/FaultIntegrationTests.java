package dev.courier.standalone;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.courier.embedded.EmbeddedKafka;
import dev.courier.embedded.Ports;
import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.JavaProcess;
import dev.courier.testinfra.TcpProxy;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The guarantees of DESIGN.md under failure. A Courier system of its own runs on a Kafka broker of its own (so the
 * broker can be stopped) and reaches the database and Redis through proxies that can be cut; sustained load runs
 * through the public API while each fault happens, then every inbox is audited by {@link Load}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultIntegrationTests {

    private static Path kafkaData;

    private static int kafkaPort;

    private static EmbeddedKafka kafka;

    private static TcpProxy database;

    private static TcpProxy redis;

    private static CourierSystem system;

    private static Api api;

    @BeforeAll
    static void startOwnSystem() throws Exception {
        Infrastructure shared = CourierInfrastructure.shared();
        kafkaData = Files.createTempDirectory("courier-fault-kafka");
        kafkaPort = Ports.freePort();
        kafka = EmbeddedKafka.start(kafkaData, kafkaPort);
        URI db = URI.create(shared.jdbcUrl().substring("jdbc:".length()));
        database = TcpProxy.to(db.getHost(), db.getPort());
        URI redisUri = URI.create(shared.redisUrl());
        redis = TcpProxy.to(redisUri.getHost(), redisUri.getPort());
        system = CourierSystem.start(
                arguments(shared),
                0,
                0,
                List.of(
                        "--courier.gateway.limits.send-burst=1000000",
                        "--courier.gateway.limits.sends-per-second=1000000"));
        api = new Api("http://127.0.0.1:" + system.gatewayPort(), "http://127.0.0.1:" + system.syncPort());
    }

    /** The servers as this system sees them: its own Kafka, the shared database and Redis behind proxies. */
    private static List<String> arguments(Infrastructure shared) {
        String jdbcUrl = shared.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + database.port() + "/");
        return List.of(
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=" + shared.dbUser(),
                "--spring.datasource.password=" + shared.dbPassword(),
                "--spring.data.redis.url=redis://127.0.0.1:" + redis.port());
    }

    @AfterAll
    static void stopOwnSystem() {
        if (system != null) {
            system.close();
        }
        kafka.close();
        database.close();
        redis.close();
    }

    /** Three users chatting directly and in a group of four. */
    private static List<Load.Stream> chat() {
        Api.Session a = api.newUser("a");
        Api.Session b = api.newUser("b");
        Api.Session c = api.newUser("c");
        Api.Session d = api.newUser("d");
        String group = Api.uniqueId("g");
        assertThat(api.createGroup(a, group, "G", List.of(b.userId(), c.userId(), d.userId()))
                        .status())
                .isEqualTo(201);
        List<Api.Session> everyone = List.of(a, b, c, d);
        return List.of(
                new Load.Stream(a, "u:" + b.userId(), List.of(a, b)),
                new Load.Stream(b, "u:" + a.userId(), List.of(a, b)),
                new Load.Stream(c, "g:" + group, everyone),
                new Load.Stream(d, "g:" + group, everyone));
    }

    /** Keeps a fault for {@code duration} while checking, twice a second, what clients meet meanwhile. */
    private static void holdFor(Duration duration, Runnable check) {
        long until = System.nanoTime() + duration.toNanos();
        await().atMost(duration.plusSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    check.run();
                    return System.nanoTime() >= until;
                });
    }

    private static List<String> fanoutArgs(boolean expansion, boolean inboxWriter) {
        List<String> args = new ArrayList<>(arguments(CourierInfrastructure.shared()));
        args.add("--courier.fanout.expansion.enabled=" + expansion);
        args.add("--courier.fanout.inbox-writer.enabled=" + inboxWriter);
        args.add("--server.port=0");
        return args;
    }

    private static void killFanoutStageDuringLoad(boolean expansion, String fault) {
        system.stop(CourierSystem.FANOUT_WORKER);
        // the stage that is not killed runs in a process of its own too
        JavaProcess other =
                JavaProcess.start(FanoutWorkerApplication.class.getName(), fanoutArgs(!expansion, expansion));
        JavaProcess victim =
                JavaProcess.start(FanoutWorkerApplication.class.getName(), fanoutArgs(expansion, !expansion));
        JavaProcess restarted = null;
        try (Load load = Load.start(api, chat(), Duration.ofMillis(20))) {
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> load.acceptedCount() > 100
                            && load.inboxes().values().stream()
                                            .mapToLong(List::size)
                                            .sum()
                                    > 0);
            victim.kill();
            assertThat(victim.isAlive()).isFalse();
            long before = load.acceptedCount();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedCount() > before + 100);
            restarted = JavaProcess.start(FanoutWorkerApplication.class.getName(), fanoutArgs(expansion, !expansion));
            JavaProcess started = restarted;
            await().atMost(Duration.ofSeconds(90)).until(() -> started.output().contains("Started"));
            long after = load.acceptedCount();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedCount() > after + 100);
            load.close();
            load.awaitDeliveredAndAudit(fault);
        } finally {
            victim.close();
            other.close();
            if (restarted != null) {
                restarted.close();
            }
            system.start(CourierSystem.FANOUT_WORKER);
        }
    }

    @Test
    @Order(1)
    void expansionStageKilledWithSigkillDuringLoadLosesAndDuplicatesNothing() {
        killFanoutStageDuringLoad(true, "fanout-worker expansion stage kill -9 and restart");
    }

    @Test
    @Order(2)
    void inboxWriterKilledWithSigkillDuringLoadLosesAndDuplicatesNothing() {
        killFanoutStageDuringLoad(false, "fanout-worker inbox-writer stage kill -9 and restart");
    }

    @Test
    @Order(3)
    void kafkaStoppedFor20SecondsAnswers503QuicklyAndRetriesLoseNothing() {
        Api.Session probeUser = api.newUser("probe");
        Api.Session probePeer = api.newUser("peer");
        try (Load load = Load.start(api, chat(), Duration.ofMillis(20))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedCount() > 100);
            kafka.close();
            holdFor(Duration.ofSeconds(20), () -> {
                long started = System.nanoTime();
                Api.Response probe = api.send(probeUser, Api.uniqueId("probe"), "u:" + probePeer.userId(), "x");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertThat(probe.status()).as(probe.body().toString()).isIn(202, 503);
                if (probe.status() == 503) {
                    assertThat(probe.code()).isEqualTo("unavailable");
                    assertThat(probe.header("Retry-After")).isNotNull();
                    assertThat(millis)
                            .as("a 503 comes within the send timeout, no hang")
                            .isLessThan(8_000);
                }
            });
            kafka = EmbeddedKafka.start(kafkaData, kafkaPort);
            long after = load.acceptedCount();
            await().atMost(Duration.ofSeconds(90)).until(() -> load.acceptedCount() > after + 100);
            load.close();
            Load.Figures figures = load.awaitDeliveredAndAudit("Kafka broker stopped for 20 s");
            assertThat(figures.unavailableAnswers()).isPositive();
            assertThat(figures.slowestUnavailableMs()).isLessThan(8_000);
        }
    }

    @Test
    @Order(4)
    void databaseDownFor30SecondsIs503AndWorkersCatchUp() {
        Api.Session probeUser = api.newUser("probe");
        Api.Session signedOut = api.device(probeUser.userId(), "signed-out");
        assertThat(api.call("DELETE", api.gateway + "/v1/sessions", signedOut.token(), null, null)
                        .status())
                .isEqualTo(204);
        try (Load load = Load.start(api, chat(), Duration.ofMillis(20))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedCount() > 100);
            database.cut();
            long cutAt = System.nanoTime();
            holdFor(Duration.ofSeconds(30), () -> {
                Api.Response sync = api.sync(probeUser, null, null);
                assertThat(sync.status()).as("sync while the database is down").isIn(200, 503);
                if (sync.status() == 503) {
                    assertThat(sync.code()).isEqualTo("unavailable");
                }
                Api.Response send = api.send(probeUser, Api.uniqueId("p"), "u:" + probeUser.userId() + "x", "x");
                assertThat(send.status()).as("send while the database is down").isIn(404, 503);
                // a signed-out device is never let in because its device cannot be checked
                Api.Response outSend = api.send(signedOut, Api.uniqueId("p"), "u:" + probeUser.userId(), "x");
                assertThat(outSend.status()).as("send of a signed-out device").isIn(401, 503);
                boolean pastDeviceCheckCache =
                        System.nanoTime() - cutAt > Duration.ofSeconds(12).toNanos();
                for (String url : List.of(api.gateway + "/v1/ws", api.sync + "/v1/stream")) {
                    assertThat(handshake(url, signedOut.token()).status())
                            .as("handshake of a signed-out device to %s", url)
                            .isIn(401, 503);
                    if (pastDeviceCheckCache) {
                        // its last check is older than the device-check cache: it cannot be checked now
                        RawWebSocket.Answer answer = handshake(url, probeUser.token());
                        assertThat(answer.status()).as("handshake to %s", url).isEqualTo(503);
                        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
                        assertThat(answer.header("Retry-After")).isNotNull();
                        assertThat(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8))
                                .contains("\"code\":\"unavailable\"");
                    }
                }
            });
            database.restore();
            long after = load.acceptedCount();
            await().atMost(Duration.ofSeconds(90)).until(() -> load.acceptedCount() > after + 100);
            load.close();
            Load.Figures figures = load.awaitDeliveredAndAudit("database unavailable for 30 s");
            assertThat(figures.unavailableAnswers()).isPositive();
            assertThat(figures.otherErrors()).isZero();
        }
    }

    /** A WebSocket handshake to {@code url} ({@code http://host:port/path}); the socket is closed at once. */
    private static RawWebSocket.Answer handshake(String url, String token) {
        URI uri = URI.create(url);
        try (RawWebSocket socket = RawWebSocket.request(
                uri.getPort(), RawWebSocket.upgradeHead(uri.getPort(), uri.getPath(), token), Duration.ofSeconds(10))) {
            return socket.handshake;
        }
    }

    @Test
    @Order(5)
    void redisDownKeepsSendsAndSyncsWorkingAndHintsResume() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        try (Load load = Load.start(api, chat(), Duration.ofMillis(20))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedCount() > 50);
            redis.cut();
            long during = load.acceptedCount();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedCount() > during + 100);
            String key = api.sync(bob, null, null).body().path("syncKey").asString();
            long started = System.nanoTime();
            Api.Response poll = api.sync(bob, key, null, 1500L);
            assertThat(poll.status()).isEqualTo(200);
            assertThat((System.nanoTime() - started) / 1_000_000)
                    .as("the long poll falls back to its timeout")
                    .isGreaterThanOrEqualTo(1_400);
            redis.restore();
            // hints flow again: a long poll is woken by a send well before its timeout
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String current =
                        api.sync(bob, null, null).body().path("syncKey").asString();
                CompletableFuture<Api.Response> woken =
                        CompletableFuture.supplyAsync(() -> api.sync(bob, current, null, 20_000L));
                long t0 = System.nanoTime();
                api.sendOk(alice, "u:" + bob.userId(), "after redis");
                Api.Response answer = woken.join();
                assertThat(answer.body().path("messages")).isNotEmpty();
                assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
            });
            load.close();
            Load.Figures figures = load.awaitDeliveredAndAudit("Redis down");
            assertThat(figures.otherErrors()).isZero();
            assertThat(figures.unavailableAnswers()).isZero();
        }
    }

    @Test
    @Order(6)
    void gatewayRestartedBetweenTwoRetriesOfOneSendMakesOneMessage() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        Api.Response first = api.send(alice, "across-restart", "u:" + bob.userId(), "once");
        assertThat(first.status()).isEqualTo(202);
        system.stop(CourierSystem.GATEWAY);
        try {
            api.send(alice, "across-restart", "u:" + bob.userId(), "once");
        } catch (UncheckedIOException expected) {
            // the gateway is away
        }
        system.start(CourierSystem.GATEWAY);
        Api.Response retry = api.send(alice, "across-restart", "u:" + bob.userId(), "once");
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.body().path("messageId").asString())
                .isEqualTo(first.body().path("messageId").asString());
        String marker = api.sendOk(alice, "u:" + bob.userId(), "marker");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).contains(marker);
        });
        assertThat(bobs.messageIds())
                .containsExactly(first.body().path("messageId").asString(), marker);
    }
}
