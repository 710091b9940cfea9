package dev.courier.standalone;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.courier.common.AccessTokens;
import dev.courier.common.Hints;
import dev.courier.sync.HintSubscriptions;
import dev.courier.sync.SyncApiApplication;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;
import dev.courier.testinfra.client.Tokens;
import dev.courier.web.AuthProperties;

import static dev.courier.testinfra.client.Socket.hintReaching;
import static dev.courier.testinfra.client.Socket.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real-time paths end to end, on real Kafka, database and Redis: a hint follows the inbox writer's commit to the
 * stream, a send or an account change at the gateway wakes a long poll, hints reach the streams of two sync-api
 * instances on one Redis, and heartbeats keep a stream open. What the sync-api does with hints and rows on its own is
 * tested in sync-api, the gateway's WebSocket in gateway.
 */
class RealtimeIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(RealtimeIntegrationTests.class);

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static final Duration FRAME = Duration.ofSeconds(10);

    private static RedisClient redisClient;

    private static StatefulRedisConnection<String, String> redis;

    private final Api api = TestSystem.api();

    @BeforeAll
    static void connectToRedis() {
        TestSystem.get();
        redisClient = RedisClient.create(CourierInfrastructure.shared().redisUrl());
        redis = redisClient.connect();
    }

    @AfterAll
    static void disconnectFromRedis() {
        redis.close();
        redisClient.shutdown();
    }

    // ---------------------------------------------------------------- the stream WebSocket

    @Test
    void streamHintFollowsTheInboxCommitWithinAHundredMillisecondsAtTheMedian() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        try (Socket stream = Socket.connect(streamUrl(), bob.token())) {
            awaitHintSubscription(bob.userId());
            Map<Long, Long> arrivals = new LinkedHashMap<>();
            for (long seq = 1; seq <= 10; seq++) {
                api.sendOk(alice, "u:" + bob.userId(), "latency " + seq);
                Socket.Frame hint = stream.awaitFrame(hintReaching(seq), DELIVERY);
                assertThat(hint.json().path("seq").longValue())
                        .as("one hint per message sent one at a time")
                        .isEqualTo(seq);
                arrivals.put(seq, hint.arrivedAtMillis());
            }
            Map<Long, Long> commits = inboxCreatedAt(bob.userId());
            List<Long> latencies = arrivals.entrySet().stream()
                    .map(arrival -> arrival.getValue() - commits.get(arrival.getKey()))
                    .toList();
            List<Long> sorted = latencies.stream().sorted().toList();
            double median = (sorted.get(4) + sorted.get(5)) / 2.0;
            log.info(
                    "Hint latency, inbox row created_at to hint arrival on the stream, ms, in send order: {};"
                            + " median {} ms, min {} ms, max {} ms",
                    latencies,
                    median,
                    sorted.getFirst(),
                    sorted.getLast());
            assertThat(median).as("median hint latency in ms of %s", latencies).isLessThanOrEqualTo(100);
        }
    }

    // ---------------------------------------------------------------- long polls

    @Test
    void longPollIsWokenByASend() throws Exception {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();

        long started = System.nanoTime();
        CompletableFuture<Api.Response> poll =
                CompletableFuture.supplyAsync(() -> api.sync(bob, bobs.syncKey, null, 20_000L));
        awaitHintSubscription(bob.userId()); // the poll is held: the send below must wake it
        String sent = api.sendOk(alice, "u:" + bob.userId(), "wake up");
        Api.Response answer = poll.get(25, TimeUnit.SECONDS);
        long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
        log.info("Long poll (waitMs=20000) answered {} ms after it started, woken by a send", elapsed);

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().path("messages").findValuesAsString("messageId"))
                .containsExactly(sent);
        assertThat(answer.body().path("syncKey").asString()).isNotEqualTo(bobs.syncKey);
        assertThat(elapsed).isLessThan(10_000);
        awaitNoHintSubscription(bob.userId());
    }

    @Test
    void longPollIsWokenByAnAccountChange() throws Exception {
        Api.Session bob = api.newUser("bob");
        String key = api.sync(bob, null, null).body().path("syncKey").asString();
        long started = System.nanoTime();
        CompletableFuture<Api.Response> poll = CompletableFuture.supplyAsync(() -> api.sync(bob, key, null, 20_000L));
        awaitHintSubscription(bob.userId());
        assertThat(api.rename(bob, "Woken").status()).isEqualTo(200);
        Api.Response answer = poll.get(25, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(answer.body().path("account").path("displayName").asString()).isEqualTo("Woken");
        assertThat(answer.body().path("messages")).isEmpty();
        awaitNoHintSubscription(bob.userId());
    }

    // ---------------------------------------------------------------- several instances, Redis down

    @Test
    void twoSyncApiInstancesOnOneRedisEachDeliverHintsToTheirOwnStreams() {
        Api.Session sender = api.newUser("sender");
        Api.Session a = api.newUser("a");
        Api.Session b = api.newUser("b");
        try (ConfigurableApplicationContext second =
                        startSyncApi(CourierInfrastructure.shared().redisUrl(), "--courier.websocket.heartbeat=500ms");
                Socket streamA = Socket.connect(streamUrl(), a.token());
                Socket streamB = Socket.connect("ws://127.0.0.1:" + port(second) + "/v1/stream", b.token())) {
            awaitHintSubscription(a.userId());
            awaitHintSubscription(b.userId());
            assertThat(second.getBean(HintSubscriptions.class).subscribedUsers())
                    .as("b's channel only")
                    .isEqualTo(1);

            sendTexts(sender, b, 3, "for b");
            api.sendOk(sender, "u:" + a.userId(), "for a");
            streamB.await(hintReaching(3), DELIVERY);
            streamA.await(hintReaching(1), DELIVERY);
            api.sendOk(sender, "u:" + a.userId(), "for a again");
            streamA.await(hintReaching(2), DELIVERY);
            api.sendOk(sender, "u:" + b.userId(), "for b again");
            streamB.await(hintReaching(4), DELIVERY);

            assertThat(hintSeqs(streamA)).as("a's hints only").containsExactly(1L, 2L);
            assertThat(hintSeqs(streamB))
                    .as("b's hints only")
                    .isSortedAccordingTo(Comparator.naturalOrder())
                    .endsWith(4L)
                    .allMatch(seq -> seq >= 1 && seq <= 4);

            streamB.send("{\"type\":\"sync\"}");
            assertThat(streamB.await(type("delta"), FRAME).path("messages")).hasSize(4);
            await().atMost(Duration.ofSeconds(5)).until(() -> streamB.pings() >= 1);
            streamB.close();
            await().atMost(FRAME)
                    .until(() -> second.getBean(HintSubscriptions.class).subscribedUsers() == 0);
            awaitNoHintSubscription(b.userId());
        }
    }

    @Test
    void heartbeatPingsKeepAnAnsweringStreamOpenPastTheIdleTimeoutAndCloseAnExpiredOneWith1008() {
        Api.Session bob = api.newUser("bob");
        try (ConfigurableApplicationContext instance = startSyncApi(
                        CourierInfrastructure.shared().redisUrl(),
                        "--courier.websocket.heartbeat=250ms",
                        "--courier.websocket.idle-timeout=1s");
                Socket stream = Socket.connect("ws://127.0.0.1:" + port(instance) + "/v1/stream", bob.token())) {
            long opened = System.nanoTime();
            api.device(bob.userId(), "laptop");
            AccessTokens.Issued shortLived =
                    Tokens.expiringInTwoSeconds(AuthProperties.DEVELOPMENT_SECRET, bob.userId(), "laptop");
            try (Socket expiring =
                    Socket.connect("ws://127.0.0.1:" + port(instance) + "/v1/stream", shortLived.token())) {
                // a silent stream whose token expires is closed at the next heartbeat
                Socket.Closed closed = expiring.awaitClosed(Duration.ofSeconds(5));
                assertThat(closed.code()).as(closed.toString()).isEqualTo(1008);
                assertThat(Instant.now()).isAfterOrEqualTo(shortLived.expiresAt());
            }
            // the other client sends nothing but the pongs the JDK answers the pings with
            await().atMost(FRAME).until(() -> stream.pings() >= 9);
            assertThat(Duration.ofNanos(System.nanoTime() - opened))
                    .as("well past the 1 s idle timeout")
                    .isGreaterThan(Duration.ofMillis(1500));
            assertThat(stream.isClosed())
                    .as("closed: %s", stream.isClosed() ? stream.awaitClosed(FRAME) : null)
                    .isFalse();
            stream.send("{\"type\":\"ping\"}");
            assertThat(stream.await(type("pong"), FRAME)).isNotNull();
        }
    }

    // ---------------------------------------------------------------- helpers

    private String streamUrl() {
        return api.sync.replace("http://", "ws://") + "/v1/stream";
    }

    private List<String> sendTexts(Api.Session from, Api.Session to, int count, String prefix) {
        return IntStream.range(0, count)
                .mapToObj(i -> api.sendOk(from, "u:" + to.userId(), prefix + " " + i))
                .toList();
    }

    private static List<Long> hintSeqs(Socket socket) {
        return socket.received().stream()
                .filter(type("hint"))
                .map(frame -> frame.path("seq").longValue())
                .toList();
    }

    /**
     * Waits until a sync-api subscribed to the user's hint channel (Redis {@code PUBSUB NUMSUB}): a stream or long poll
     * is only sure to get a hint published after that.
     */
    private static void awaitHintSubscription(String userId) {
        String channel = Hints.channel(userId);
        await().atMost(FRAME)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> redis.sync().pubsubNumsub(channel).getOrDefault(channel, 0L) >= 1);
    }

    /** Waits until no sync-api holds a subscription to the user's hint channel any more. */
    private static void awaitNoHintSubscription(String userId) {
        String channel = Hints.channel(userId);
        await().atMost(FRAME)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> redis.sync().pubsubNumsub(channel).getOrDefault(channel, 0L) == 0);
    }

    /** Another sync-api instance on the test infrastructure, with the given Redis. */
    private static ConfigurableApplicationContext startSyncApi(String redisUrl, String... extra) {
        List<String> args = new ArrayList<>(CourierInfrastructure.shared().springArguments().stream()
                .filter(arg -> !arg.startsWith("--spring.data.redis.url="))
                .toList());
        args.add("--spring.data.redis.url=" + redisUrl);
        args.add("--server.port=0");
        args.add("--spring.main.banner-mode=off");
        args.add("--logging.include-application-name=false");
        args.add("--courier.sync.retention.interval=0");
        args.addAll(List.of(extra));
        return SyncApiApplication.builder()
                .registerShutdownHook(false)
                .logStartupInfo(false)
                .run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** seq to created_at (epoch ms, set in the inbox writer's transaction) of the user's inbox rows. */
    private static Map<Long, Long> inboxCreatedAt(String userId) {
        Infrastructure infrastructure = CourierInfrastructure.shared();
        Map<Long, Long> rows = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(
                        infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
                PreparedStatement select = connection.prepareStatement(
                        "SELECT seq, created_at FROM inbox WHERE user_id = ? ORDER BY seq")) {
            select.setString(1, userId);
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.put(result.getLong(1), result.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
