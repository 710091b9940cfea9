package dev.courier.standalone;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

import dev.courier.common.AccessTokens;
import dev.courier.common.Hints;
import dev.courier.embedded.EmbeddedRedis;
import dev.courier.embedded.Ports;
import dev.courier.gateway.GatewayApplication;
import dev.courier.sync.DeviceAcknowledgements;
import dev.courier.sync.HintSubscriptions;
import dev.courier.sync.RetentionJob;
import dev.courier.sync.SyncApiApplication;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;
import dev.courier.testinfra.client.StalledClient;
import dev.courier.web.AuthProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real-time paths end to end, on real Kafka, database and Redis: the sync-api's stream WebSocket (push hints and
 * deltas), long polls, account and contact deltas, retention and resync, hints across sync-api instances and without
 * Redis, and the gateway's send WebSocket.
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

    // ---------------------------------------------------------------- devices and their keys

    @Test
    void eachDeviceOfAUserReceivesEveryMessageThroughItsOwnKeyWhateverTheOtherAcknowledged() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device phone = api.deviceOf(bob);
        Api.Device laptop = api.deviceOf(api.device(bob.userId(), "laptop"));
        phone.syncAll();
        laptop.syncAll();

        List<String> first = sendTexts(alice, bob, 3, "first");
        await().atMost(DELIVERY).untilAsserted(() -> {
            phone.syncAll();
            assertThat(phone.messageIds()).containsExactlyElementsOf(first);
        });
        phone.syncAll(); // presents the key covering the three: the phone acknowledged them
        assertThat(ackedSeq(bob.userId(), "phone")).isEqualTo(3);
        assertThat(ackedSeq(bob.userId(), "laptop"))
                .as("the laptop acknowledged nothing yet")
                .isZero();

        await().atMost(DELIVERY).untilAsserted(() -> {
            laptop.syncAll();
            assertThat(laptop.messageIds()).containsExactlyElementsOf(first);
        });

        List<String> second = sendTexts(alice, bob, 2, "second");
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        await().atMost(DELIVERY).untilAsserted(() -> {
            laptop.syncAll();
            assertThat(laptop.messageIds()).containsExactlyElementsOf(all);
        });
        laptop.syncAll();
        assertThat(ackedSeq(bob.userId(), "laptop")).isEqualTo(5);
        assertThat(ackedSeq(bob.userId(), "phone"))
                .as("the laptop's acknowledgement is not the phone's")
                .isEqualTo(3);
        await().atMost(DELIVERY).untilAsserted(() -> {
            phone.syncAll();
            assertThat(phone.messageIds()).containsExactlyElementsOf(all);
        });
        MessagingIntegrationTests.assertSeqStrictlyIncreasing(phone.messages);
        MessagingIntegrationTests.assertSeqStrictlyIncreasing(laptop.messages);
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

    @Test
    void streamHintsCarryIncreasingSeqAndSyncFramesAreAnsweredWithDeltas() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        try (Socket stream = Socket.connect(streamUrl(), bob.token())) {
            awaitHintSubscription(bob.userId());
            stream.send("{\"type\":\"sync\"}");
            JsonNode initial = stream.await(type("delta"), FRAME);
            assertThat(initial.path("resync").asBoolean()).isFalse();
            assertThat(initial.path("hasMore").asBoolean()).isFalse();
            assertThat(initial.path("account").path("userId").asString()).isEqualTo(bob.userId());
            assertThat(initial.path("messages")).isEmpty();
            String key = initial.path("syncKey").asString();
            assertThat(key).isNotBlank();

            List<String> sent = sendTexts(alice, bob, 5, "hinted");
            List<Long> hinted = new ArrayList<>();
            while (hinted.isEmpty() || hinted.getLast() < 5) {
                hinted.add(stream.await(type("hint"), DELIVERY).path("seq").longValue());
            }
            log.info("Hints for 5 messages sent back to back: {}", hinted);
            assertThat(hinted)
                    .isSortedAccordingTo(Comparator.naturalOrder())
                    .doesNotHaveDuplicates()
                    .endsWith(5L);

            stream.send(Api.json("type", "sync", "syncKey", key, "limit", 3));
            JsonNode page = stream.await(type("delta"), FRAME);
            assertThat(page.path("messages").findValuesAsString("messageId"))
                    .containsExactlyElementsOf(sent.subList(0, 3));
            assertThat(page.path("hasMore").asBoolean()).isTrue();
            assertThat(page.path("account").isNull())
                    .as("account unchanged: %s", page)
                    .isTrue();
            JsonNode viaRest = api.sync(bob, key, 3).body();
            assertThat(viaRest.path("messages"))
                    .as("the same body as POST /v1/sync")
                    .isEqualTo(page.path("messages"));
            assertThat(viaRest.path("syncKey").asString())
                    .isEqualTo(page.path("syncKey").asString());

            stream.send(Api.json("type", "sync", "syncKey", page.path("syncKey").asString()));
            JsonNode rest = stream.await(type("delta"), FRAME);
            assertThat(rest.path("messages").findValuesAsString("messageId"))
                    .containsExactlyElementsOf(sent.subList(3, 5));
            assertThat(rest.path("hasMore").asBoolean()).isFalse();
            assertThat(rest.path("messages").get(1).path("seq").longValue()).isEqualTo(5);
        }
    }

    @Test
    void streamAnswersPingWithPongAndBadFramesWithErrorFramesAndStaysOpen() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String alicesKey = api.sync(alice, null, null).body().path("syncKey").asString();
        try (Socket stream = Socket.connect(streamUrl(), bob.token())) {
            stream.send("{\"type\":\"ping\"}");
            assertThat(stream.next(FRAME).toString()).isEqualTo("{\"type\":\"pong\"}");

            stream.send("{not json");
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_request", "frame");
            stream.send("[1,2,3]");
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_request", "frame");
            stream.send("{\"type\":42}");
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_request", "frame");
            stream.send("{\"type\":\"subscribe\"}");
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_request", "type");
            stream.send(Api.json("type", "sync", "limit", 0));
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_request", "limit");
            stream.send(Api.json("type", "sync", "syncKey", "not-a-sync-key"));
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_sync_key", "syncKey");
            stream.send(Api.json("type", "sync", "syncKey", alicesKey));
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_sync_key", "syncKey");

            stream.send("{\"type\":\"sync\"}");
            JsonNode delta = stream.next(FRAME);
            assertThat(delta.path("type").asString()).isEqualTo("delta");
            assertThat(delta.path("account").path("userId").asString()).isEqualTo(bob.userId());
            stream.send("{\"type\":\"ping\"}");
            assertThat(stream.next(FRAME).path("type").asString()).isEqualTo("pong");
            assertThat(stream.isClosed()).isFalse();
        }
    }

    @Test
    void streamAcceptsTheTokenAsAccessTokenQueryParameter() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        try (Socket stream = Socket.connectWithQueryToken(streamUrl(), bob.token())) {
            awaitHintSubscription(bob.userId());
            stream.send("{\"type\":\"sync\"}");
            assertThat(stream.await(type("delta"), FRAME)
                            .path("account")
                            .path("userId")
                            .asString())
                    .isEqualTo(bob.userId());
            api.sendOk(alice, "u:" + bob.userId(), "to the browser");
            assertThat(stream.await(type("hint"), DELIVERY).path("seq").longValue())
                    .isEqualTo(1);
        }
    }

    @Test
    void streamRefusesAMissingOrBadTokenWith401AtTheHandshake() {
        Api.Session bob = api.newUser("bob");
        String otherSecret = new AccessTokens(
                        "another-secret-that-is-long-enough-32b", Duration.ofHours(1), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        String expired = new AccessTokens(AuthProperties.DEVELOPMENT_SECRET, Duration.ofSeconds(-10), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        assertThat(Socket.refusedHandshakeStatus(streamUrl(), null)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(streamUrl(), "not-a-token")).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(streamUrl(), otherSecret)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(streamUrl(), expired)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(streamUrl() + "?access_token=not-a-token", null))
                .isEqualTo(401);
    }

    @Test
    void streamClosesWith1008OnTheFirstFrameAfterTheTokenExpired() {
        Api.Session bob = api.newUser("bob");
        AccessTokens.Issued shortLived = issueTwoSecondToken(bob.userId(), "phone");
        try (Socket stream = Socket.connect(streamUrl(), shortLived.token())) {
            stream.send("{\"type\":\"ping\"}");
            assertThat(stream.next(FRAME).path("type").asString())
                    .as("usable while the token is valid")
                    .isEqualTo("pong");
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> Instant.now().isAfter(shortLived.expiresAt()));
            stream.sendAsync("{\"type\":\"ping\"}");
            Socket.Closed closed = stream.awaitClosed(FRAME);
            assertThat(closed.code()).as(closed.toString()).isEqualTo(1008);
            assertThat(closed.reason()).contains("expired");
            assertThat(stream.received()).as("no pong after expiry").hasSize(1);
        }
    }

    @Test
    void streamClosesWith1009OnAFrameLargerThan64KiB() {
        Api.Session bob = api.newUser("bob");
        try (Socket stream = Socket.connect(streamUrl(), bob.token())) {
            stream.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(60 * 1024) + "\"}");
            assertThat(stream.next(FRAME).path("type").asString())
                    .as("a 60 KiB frame is fine")
                    .isEqualTo("pong");
            stream.sendAsync("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(65 * 1024) + "\"}");
            Socket.Closed closed = stream.awaitClosed(FRAME);
            assertThat(closed.code()).as(closed.toString()).isEqualTo(1009);
        }
    }

    @Test
    void accountAndContactChangesWakeTheStreamWithAHint() {
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        try (Socket stream = Socket.connect(streamUrl(), bob.token())) {
            awaitHintSubscription(bob.userId());
            assertThat(renameAccount(bob, "Bobby").status()).isEqualTo(200);
            assertThat(stream.next(FRAME).toString()).isEqualTo("{\"type\":\"hint\",\"data\":\"account\"}");
            assertThat(putContact(bob, carol.userId(), "C").status()).isEqualTo(200);
            assertThat(stream.next(FRAME).toString()).isEqualTo("{\"type\":\"hint\",\"data\":\"contacts\"}");
            assertThat(deleteContact(bob, carol.userId()).status()).isEqualTo(204);
            assertThat(stream.next(FRAME).toString()).isEqualTo("{\"type\":\"hint\",\"data\":\"contacts\"}");

            stream.send("{\"type\":\"sync\"}");
            JsonNode delta = stream.next(FRAME);
            assertThat(delta.path("account").path("displayName").asString()).isEqualTo("Bobby");
        }
    }

    @Test
    void closingOneOfAUsersStreamsOrLongPollsKeepsTheHintsOfTheOthers() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session laptop = api.device(bob.userId(), "laptop");
        try (Socket phoneStream = Socket.connect(streamUrl(), bob.token());
                Socket laptopStream = Socket.connect(streamUrl(), laptop.token())) {
            awaitHintSubscription(bob.userId());
            api.sendOk(alice, "u:" + bob.userId(), "to both");
            phoneStream.await(hintReaching(1), DELIVERY);
            laptopStream.await(hintReaching(1), DELIVERY);

            // a long poll of the same user comes and goes
            String key = api.sync(laptop, null, null).body().path("syncKey").asString();
            assertThat(api.sync(laptop, key, null, 300L).body().path("syncKey").asString())
                    .isEqualTo(key);
            api.sendOk(alice, "u:" + bob.userId(), "after the long poll");
            phoneStream.await(hintReaching(2), DELIVERY);
            laptopStream.await(hintReaching(2), DELIVERY);

            // one stream closes, the other keeps getting hints
            phoneStream.close();
            api.sendOk(alice, "u:" + bob.userId(), "to the laptop");
            laptopStream.await(hintReaching(3), DELIVERY);
        }
        awaitNoHintSubscription(bob.userId());
    }

    @Test
    void streamDroppedWithoutACloseHandshakeReleasesItsHintSubscription() {
        Api.Session bob = api.newUser("bob");
        Socket stream = Socket.connect(streamUrl(), bob.token());
        awaitHintSubscription(bob.userId());
        stream.abort();
        awaitNoHintSubscription(bob.userId());
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
        assertThat(renameAccount(bob, "Woken").status()).isEqualTo(200);
        Api.Response answer = poll.get(25, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(answer.body().path("account").path("displayName").asString()).isEqualTo("Woken");
        assertThat(answer.body().path("messages")).isEmpty();
        awaitNoHintSubscription(bob.userId());
    }

    @Test
    void longPollTimesOutWithAnEmptyDeltaAndTheSameKey() {
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();

        long started = System.nanoTime();
        Api.Response answer = api.sync(bob, bobs.syncKey, null, 1_000L);
        long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(elapsed).isBetween(990L, 6_000L);
        assertThat(answer.body().path("messages")).isEmpty();
        assertThat(answer.body().path("contacts")).isEmpty();
        assertThat(answer.body().path("account").isNull()).isTrue();
        assertThat(answer.body().path("hasMore").asBoolean()).isFalse();
        assertThat(answer.body().path("resync").asBoolean()).isFalse();
        assertThat(answer.body().path("syncKey").asString()).isEqualTo(bobs.syncKey);
    }

    @Test
    void longPollWithABadKeyOrWaitIsRefusedAtOnce() {
        Api.Session bob = api.newUser("bob");
        long started = System.nanoTime();
        assertProblem(api.sync(bob, "not-a-sync-key", null, 20_000L), 400, "invalid_sync_key", "");
        assertProblem(api.sync(bob, null, null, 30_001L), 400, "invalid_request", "waitMs");
        assertProblem(api.sync(bob, null, null, -1L), 400, "invalid_request", "waitMs");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------- account and contact deltas

    @Test
    void accountChangeAloneIsTheNextDelta() {
        Api.Session bob = api.newUser("bob");
        Api.Response first = api.sync(bob, null, null);
        long initialVersion = first.body().path("account").path("version").asLong();

        Api.Response renamed = renameAccount(bob, "Robert");
        assertThat(renamed.status()).as(renamed.body().toString()).isEqualTo(200);
        assertThat(renamed.body().path("userId").asString()).isEqualTo(bob.userId());
        assertThat(renamed.body().path("displayName").asString()).isEqualTo("Robert");
        long version = renamed.body().path("version").asLong();
        assertThat(version).isGreaterThan(initialVersion);

        JsonNode delta =
                api.sync(bob, first.body().path("syncKey").asString(), null).body();
        assertThat(delta.path("account").path("userId").asString()).isEqualTo(bob.userId());
        assertThat(delta.path("account").path("displayName").asString()).isEqualTo("Robert");
        assertThat(delta.path("account").path("version").asLong()).isEqualTo(version);
        assertThat(delta.path("contacts")).isEmpty();
        assertThat(delta.path("messages")).isEmpty();
        assertThat(delta.path("resync").asBoolean()).isFalse();
    }

    @Test
    void deletedContactIsInTheNextDeltaAsDeleted() {
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        Api.Session dave = api.newUser("dave");
        String key = api.sync(bob, null, null).body().path("syncKey").asString();

        Api.Response put = putContact(bob, carol.userId(), "Caro");
        assertThat(put.status()).as(put.body().toString()).isEqualTo(200);
        assertThat(put.body().path("userId").asString()).isEqualTo(carol.userId());
        assertThat(put.body().path("alias").asString()).isEqualTo("Caro");
        assertThat(put.body().path("deleted").asBoolean()).isFalse();
        long putVersion = put.body().path("version").asLong();

        JsonNode added = api.sync(bob, key, null).body();
        assertThat(added.path("account").isNull()).as(added.toString()).isTrue();
        assertThat(added.path("messages")).isEmpty();
        assertThat(added.path("contacts")).hasSize(1);
        assertThat(added.path("contacts").get(0)).isEqualTo(put.body());

        assertThat(deleteContact(bob, carol.userId()).status()).isEqualTo(204);
        JsonNode deleted = api.sync(bob, added.path("syncKey").asString(), null).body();
        assertThat(deleted.path("account").isNull()).isTrue();
        assertThat(deleted.path("messages")).isEmpty();
        assertThat(deleted.path("contacts")).hasSize(1);
        JsonNode tombstone = deleted.path("contacts").get(0);
        assertThat(tombstone.path("userId").asString()).isEqualTo(carol.userId());
        assertThat(tombstone.path("deleted").asBoolean()).isTrue();
        assertThat(tombstone.path("version").asLong()).isGreaterThan(putVersion);

        // a contact without an alias; a device starting afresh sees the live contacts only
        Api.Response noAlias = api.call("PUT", api.gateway + "/v1/contacts/" + dave.userId(), bob.token(), null, null);
        assertThat(noAlias.status()).as(noAlias.body().toString()).isEqualTo(200);
        assertThat(noAlias.body().path("alias").isNull()).isTrue();
        JsonNode fresh =
                api.sync(api.device(bob.userId(), "tablet"), null, null).body();
        assertThat(fresh.path("contacts").findValuesAsString("userId")).containsExactly(dave.userId());
    }

    @Test
    void deltaAfterNoChangeIsEmpty() {
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        assertThat(putContact(bob, carol.userId(), "C").status()).isEqualTo(200);
        Api.Response first = api.sync(bob, null, null);
        assertThat(first.body().path("contacts")).hasSize(1);

        JsonNode again =
                api.sync(bob, first.body().path("syncKey").asString(), null).body();
        assertThat(again.path("account").isNull()).as(again.toString()).isTrue();
        assertThat(again.path("contacts")).isEmpty();
        assertThat(again.path("messages")).isEmpty();
        assertThat(again.path("hasMore").asBoolean()).isFalse();
        assertThat(again.path("resync").asBoolean()).isFalse();
    }

    @Test
    void accountAndContactErrorsAreProblems() {
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        assertProblem(putContact(bob, "nobody-" + bob.userId(), "X"), 404, "not_found", "userId");
        assertProblem(putContact(bob, bob.userId(), "me"), 400, "invalid_request", "userId");
        assertProblem(deleteContact(bob, carol.userId()), 404, "not_found", "userId");
        assertProblem(renameAccount(bob, ""), 400, "invalid_request", "displayName");
        assertProblem(
                api.call("PATCH", api.gateway + "/v1/account", bob.token(), "{}", "application/json"),
                400,
                "invalid_request",
                "displayName");
        assertProblem(putContact(bob, carol.userId(), "a".repeat(129)), 400, "invalid_request", "alias");
        assertProblem(
                api.call("PATCH", api.gateway + "/v1/account", null, Api.json("displayName", "X"), "application/json"),
                401,
                "unauthenticated",
                "");
        assertThat(api.sync(bob, null, null)
                        .body()
                        .path("account")
                        .path("displayName")
                        .asString())
                .as("nothing changed")
                .isEqualTo("BOB");
    }

    // ---------------------------------------------------------------- retention and resync

    @Test
    void keyOlderThanTheTrimPointGetsAResyncAndAKeyAtItDoesNot() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device phone = api.deviceOf(bob);
        phone.syncAll();
        String oldKey = phone.syncKey;
        List<String> sent = sendTexts(alice, bob, 3, "old");
        Api.Device laptop = api.deviceOf(api.device(bob.userId(), "laptop"));
        await().atMost(DELIVERY).untilAsserted(() -> {
            laptop.syncAll();
            assertThat(laptop.messageIds()).containsExactlyElementsOf(sent);
        });

        // 31 days on, no device is active any more: everything older than the retention period goes
        long trimmed = retention().trimUser(bob.userId(), Instant.now().plus(Duration.ofDays(31)));
        assertThat(trimmed).isEqualTo(3);

        JsonNode resynced = api.sync(bob, oldKey, null).body();
        assertThat(resynced.path("resync").asBoolean()).as(resynced.toString()).isTrue();
        assertThat(resynced.path("account").path("userId").asString()).isEqualTo(bob.userId());
        assertThat(resynced.path("messages")).isEmpty();
        assertThat(resynced.path("syncKey").asString()).isNotEqualTo(oldKey);

        JsonNode current = api.sync(bob, laptop.syncKey, null).body();
        assertThat(current.path("resync").asBoolean())
                .as("the laptop's key is at the trim point")
                .isFalse();
        assertThat(current.path("messages")).isEmpty();
        assertThat(current.path("account").isNull()).isTrue();

        String after = api.sendOk(alice, "u:" + bob.userId(), "after the trim");
        await().atMost(DELIVERY).untilAsserted(() -> {
            laptop.syncAll();
            assertThat(laptop.messageIds()).endsWith(after);
        });
        assertThat(laptop.messageIds()).containsExactly(sent.get(0), sent.get(1), sent.get(2), after);
        JsonNode resyncedAgain = api.sync(bob, oldKey, null).body();
        assertThat(resyncedAgain.path("resync").asBoolean()).isTrue();
        assertThat(resyncedAgain.path("messages").findValuesAsString("messageId"))
                .containsExactly(after);
    }

    @Test
    void retentionKeepsWhatAnActiveDeviceHasNotAcknowledged() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device phone = api.deviceOf(bob);
        phone.syncAll();
        String phonesKey = phone.syncKey;
        List<String> sent = sendTexts(alice, bob, 3, "kept");
        Api.Device laptop = api.deviceOf(api.device(bob.userId(), "laptop"));
        await().atMost(DELIVERY).untilAsserted(() -> {
            laptop.syncAll();
            assertThat(laptop.messageIds()).containsExactlyElementsOf(sent);
        });
        laptop.syncAll();
        assertThat(ackedSeq(bob.userId(), "laptop")).isEqualTo(3);

        // 8 days on, the phone (active: it synced within 30 days) has not acknowledged the three
        assertThat(retention().trimUser(bob.userId(), Instant.now().plus(Duration.ofDays(8))))
                .isZero();
        JsonNode delta = api.sync(bob, phonesKey, null).body();
        assertThat(delta.path("resync").asBoolean()).isFalse();
        assertThat(delta.path("messages").findValuesAsString("messageId")).containsExactlyElementsOf(sent);

        // once the phone acknowledged them too, they go
        String phonesNewKey = delta.path("syncKey").asString();
        assertThat(api.sync(bob, phonesNewKey, null).body().path("messages")).isEmpty();
        assertThat(retention().trimUser(bob.userId(), Instant.now().plus(Duration.ofDays(8))))
                .isEqualTo(3);
        assertThat(api.sync(bob, phonesNewKey, null).body().path("resync").asBoolean())
                .isFalse();
        assertThat(api.sync(bob, phonesKey, null).body().path("resync").asBoolean())
                .isTrue();
    }

    @Test
    void retentionCountsADeviceThatLoggedInRecentlyAsActiveThoughItsLastSyncIsOld() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device laptop = api.deviceOf(api.device(bob.userId(), "laptop"));
        laptop.syncAll();
        String laptopsKey = laptop.syncKey;
        List<String> sent = sendTexts(alice, bob, 3, "for the laptop");
        Api.Device phone = api.deviceOf(bob);
        await().atMost(DELIVERY).untilAsserted(() -> {
            phone.syncAll();
            assertThat(phone.messageIds()).containsExactlyElementsOf(sent);
        });
        phone.syncAll();
        assertThat(ackedSeq(bob.userId(), "phone")).isEqualTo(3);

        // the laptop last synced 25 days ago and has just logged in again
        TestSystem.get().bean(DeviceAcknowledgements.class).flush();
        long now = System.currentTimeMillis();
        update(
                "UPDATE devices SET last_sync_at = ? WHERE user_id = ? AND device_id = 'laptop'",
                now - Duration.ofDays(25).toMillis(),
                bob.userId());
        Api.Session laptopAgain = api.device(bob.userId(), "laptop");

        // 8 days on, the laptop logged in 8 days ago: it is active and has not acknowledged the three
        long trimmed = retention().trimUser(bob.userId(), Instant.now().plus(Duration.ofDays(8)));
        JsonNode delta = api.sync(laptopAgain, laptopsKey, null).body();
        assertThat(trimmed).as("rows trimmed that an active device still needs").isZero();
        assertThat(delta.path("resync").asBoolean()).isFalse();
        assertThat(delta.path("messages").findValuesAsString("messageId")).containsExactlyElementsOf(sent);
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
    void withRedisUnreachableSyncWorksAndALongPollAnswersAtItsTimeout() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        try (ConfigurableApplicationContext noRedis = startSyncApi("redis://127.0.0.1:" + Ports.freePort())) {
            Api withoutRedis = new Api(api.gateway, "http://127.0.0.1:" + port(noRedis));
            Api.Response first = withoutRedis.sync(bob, null, null);
            assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
            assertThat(first.body().path("account").path("userId").asString()).isEqualTo(bob.userId());
            String key = first.body().path("syncKey").asString();

            long started = System.nanoTime();
            Api.Response polled = withoutRedis.sync(bob, key, null, 1_500L);
            long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
            log.info("Long poll (waitMs=1500) without Redis answered after {} ms", elapsed);
            assertThat(polled.status()).as(polled.body().toString()).isEqualTo(200);
            assertThat(elapsed).isBetween(1_490L, 6_000L);
            assertThat(polled.body().path("messages")).isEmpty();
            assertThat(polled.body().path("syncKey").asString()).isEqualTo(key);

            String sent = api.sendOk(alice, "u:" + bob.userId(), "no hint needed");
            await().atMost(DELIVERY)
                    .untilAsserted(() -> assertThat(withoutRedis
                                    .sync(bob, key, null)
                                    .body()
                                    .path("messages")
                                    .findValuesAsString("messageId"))
                            .containsExactly(sent));

            try (Socket stream = Socket.connect("ws://127.0.0.1:" + port(noRedis) + "/v1/stream", bob.token())) {
                stream.send(Api.json("type", "sync", "syncKey", key));
                assertThat(stream.await(type("delta"), FRAME).path("messages").findValuesAsString("messageId"))
                        .containsExactly(sent);
            }
        }
    }

    @Test
    void syncApiThatStartedWithoutRedisSubscribesItsStreamsOnceRedisIsBack() {
        Api.Session bob = api.newUser("bob");
        int redisPort = Ports.freePort();
        try (ConfigurableApplicationContext instance = startSyncApi("redis://127.0.0.1:" + redisPort);
                Socket stream = Socket.connect("ws://127.0.0.1:" + port(instance) + "/v1/stream", bob.token())) {
            stream.send("{\"type\":\"sync\"}");
            assertThat(stream.await(type("delta"), FRAME)
                            .path("account")
                            .path("userId")
                            .asString())
                    .isEqualTo(bob.userId());

            try (EmbeddedRedis lateRedis = EmbeddedRedis.start(redisPort)) {
                awaitSubscribers(lateRedis.url(), bob.userId());
                publish(lateRedis.url(), Hints.channel(bob.userId()), "7");
                assertThat(stream.await(type("hint"), FRAME).toString()).isEqualTo("{\"type\":\"hint\",\"seq\":7}");
                publish(lateRedis.url(), Hints.channel(bob.userId()), "contacts");
                assertThat(stream.await(type("hint"), FRAME).toString())
                        .isEqualTo("{\"type\":\"hint\",\"data\":\"contacts\"}");
            }
        }
    }

    @Test
    void streamsOpenedWhileRedisWasDownGetHintsOnceItIsBack() {
        Api.Session before = api.newUser("before");
        Api.Session during = api.newUser("during");
        int redisPort = Ports.freePort();
        EmbeddedRedis firstRedis = EmbeddedRedis.start(redisPort);
        try (ConfigurableApplicationContext instance = startSyncApi(firstRedis.url());
                Socket beforeStream =
                        Socket.connect("ws://127.0.0.1:" + port(instance) + "/v1/stream", before.token())) {
            awaitSubscribers(firstRedis.url(), before.userId());
            firstRedis.close();

            try (Socket duringStream =
                    Socket.connect("ws://127.0.0.1:" + port(instance) + "/v1/stream", during.token())) {
                duringStream.send("{\"type\":\"sync\"}");
                assertThat(duringStream
                                .await(type("delta"), FRAME)
                                .path("account")
                                .path("userId")
                                .asString())
                        .as("syncs need no Redis")
                        .isEqualTo(during.userId());

                try (EmbeddedRedis redisAgain = EmbeddedRedis.start(redisPort)) {
                    awaitSubscribers(redisAgain.url(), before.userId());
                    awaitSubscribers(redisAgain.url(), during.userId());
                    publish(redisAgain.url(), Hints.channel(before.userId()), "11");
                    publish(redisAgain.url(), Hints.channel(during.userId()), "12");
                    assertThat(beforeStream
                                    .await(type("hint"), FRAME)
                                    .path("seq")
                                    .longValue())
                            .isEqualTo(11);
                    assertThat(duringStream
                                    .await(type("hint"), FRAME)
                                    .path("seq")
                                    .longValue())
                            .isEqualTo(12);
                }
            }
        } finally {
            firstRedis.close();
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
            AccessTokens.Issued shortLived = issueTwoSecondToken(bob.userId(), "laptop");
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

    // ---------------------------------------------------------------- the gateway WebSocket

    @Test
    void gatewaySocketAcksAHundredSendsInFlightAndDeliversEachOnceInSendOrder() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        List<String> clientMsgIds =
                IntStream.range(0, 100).mapToObj(i -> "ws-" + i).toList();
        Map<String, String> messageIds = new LinkedHashMap<>();
        try (Socket socket = Socket.connect(gatewaySocketUrl(), alice.token())) {
            for (String clientMsgId : clientMsgIds) {
                socket.send(Api.json(
                        "type",
                        "send",
                        "clientMsgId",
                        clientMsgId,
                        "to",
                        "u:" + bob.userId(),
                        "kind",
                        "text",
                        "content",
                        "message " + clientMsgId));
            }
            while (messageIds.size() < clientMsgIds.size()) {
                JsonNode ack = socket.next(DELIVERY);
                assertThat(ack.path("type").asString()).as(ack.toString()).isEqualTo("ack");
                assertThat(ack.path("acceptedAt").asString()).endsWith("Z");
                String previous = messageIds.put(
                        ack.path("clientMsgId").asString(),
                        ack.path("messageId").asString());
                assertThat(previous).as("one ack per send").isNull();
            }
        }
        assertThat(messageIds).containsOnlyKeys(clientMsgIds);
        List<String> inSendOrder = clientMsgIds.stream().map(messageIds::get).toList();
        assertThat(inSendOrder).doesNotHaveDuplicates();
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messages).hasSizeGreaterThanOrEqualTo(100);
        });
        assertThat(bobs.messageIds()).containsExactlyElementsOf(inSendOrder);
        assertThat(bobs.messages.getFirst().path("content").asString()).isEqualTo("message ws-0");
    }

    @Test
    void gatewaySocketAnswersARepeatedClientMsgIdWithTheSameMessageIdAndDeliversOnce() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device bobs = api.deviceOf(bob);
        bobs.syncAll();
        String send = Api.json(
                "type", "send", "clientMsgId", "same-1", "to", "u:" + bob.userId(), "kind", "text", "content", "once");
        try (Socket socket = Socket.connect(gatewaySocketUrl(), alice.token())) {
            socket.send(send);
            socket.send(send);
            JsonNode first = socket.next(DELIVERY);
            JsonNode second = socket.next(DELIVERY);
            assertThat(first.path("type").asString()).as(first.toString()).isEqualTo("ack");
            assertThat(second.path("type").asString()).as(second.toString()).isEqualTo("ack");
            String messageId = first.path("messageId").asString();
            assertThat(second.path("messageId").asString()).isEqualTo(messageId);
            assertThat(second.path("clientMsgId").asString()).isEqualTo("same-1");

            String marker = api.sendOk(alice, "u:" + bob.userId(), "marker");
            await().atMost(DELIVERY).untilAsserted(() -> {
                bobs.syncAll();
                assertThat(bobs.messageIds()).contains(marker);
            });
            socket.send(send);
            JsonNode late = socket.next(DELIVERY);
            assertThat(late.path("messageId").asString()).isEqualTo(messageId);
            assertThat(late.path("acceptedAt").asString())
                    .as("the stored acceptance time")
                    .isEqualTo(bobs.messages.getFirst().path("sentAt").asString());
            assertThat(bobs.messageIds()).containsExactly(messageId, marker);
        }
    }

    @Test
    void gatewaySocketAnswersBadSendsWithErrorFramesAndKeepsWorking() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(carol, groupId, "Without alice", List.of(bob.userId()))
                        .status())
                .isEqualTo(201);
        try (Socket socket = Socket.connect(gatewaySocketUrl(), alice.token())) {
            socket.send(sendFrame("e-member", "g:" + groupId, "x"));
            assertErrorFrame(socket.next(FRAME), "e-member", 403, "not_member", "");
            socket.send(sendFrame("e-user", "u:nobody-" + alice.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-user", 404, "not_found", "to");
            socket.send(sendFrame("e-group", "g:nogroup-" + alice.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-group", 404, "not_found", "to");
            socket.send(sendFrame("e-to", bob.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-to", 400, "invalid_request", "to");
            socket.send(sendFrame("e-self", "u:" + alice.userId(), "x"));
            assertErrorFrame(socket.next(FRAME), "e-self", 400, "invalid_request", "to");
            socket.send(sendFrame("e-big", "u:" + bob.userId(), "x".repeat(16 * 1024 + 1)));
            assertErrorFrame(socket.next(FRAME), "e-big", 413, "payload_too_large", "content");
            socket.send(Api.json(
                    "type", "send", "clientMsgId", "e-kind", "to", "u:" + bob.userId(), "kind", "gif", "content", "x"));
            assertErrorFrame(socket.next(FRAME), "e-kind", 400, "invalid_request", "kind");
            socket.send(Api.json("type", "send", "to", "u:" + bob.userId(), "kind", "text", "content", "x"));
            assertErrorFrame(socket.next(FRAME), null, 400, "invalid_request", "clientMsgId");
            socket.send("{\"type\":\"send\",");
            assertErrorFrame(socket.next(FRAME), null, 400, "invalid_request", "frame");
            socket.send(Api.json("type", "edit", "clientMsgId", "e-type"));
            assertErrorFrame(socket.next(FRAME), "e-type", 400, "invalid_request", "type");

            socket.send(sendFrame("ok-1", "u:" + bob.userId(), "still works"));
            JsonNode ack = socket.next(FRAME);
            assertThat(ack.path("type").asString()).as(ack.toString()).isEqualTo("ack");
            assertThat(ack.path("clientMsgId").asString()).isEqualTo("ok-1");
            assertThat(socket.isClosed()).isFalse();
        }
        Api.Device bobs = api.deviceOf(bob);
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messages).isNotEmpty();
        });
        assertThat(bobs.messages)
                .extracting(m -> m.path("clientMsgId").asString())
                .containsExactly("ok-1");
    }

    @Test
    void gatewaySocketAnswersPingWithPong() {
        Api.Session alice = api.newUser("alice");
        try (Socket socket = Socket.connectWithQueryToken(gatewaySocketUrl(), alice.token())) {
            socket.send("{\"type\":\"ping\"}");
            assertThat(socket.next(FRAME).toString()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    @Test
    void gatewaySocketRefusesABadTokenWith401AtTheHandshake() {
        assertThat(Socket.refusedHandshakeStatus(gatewaySocketUrl(), "not-a-token"))
                .isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(gatewaySocketUrl(), null)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(gatewaySocketUrl() + "?access_token=x.y.z", null))
                .isEqualTo(401);
    }

    @Test
    void gatewaySocketClientThatStopsReadingDoesNotStallOtherUsersSends() throws IOException {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        try (ConfigurableApplicationContext gateway = startService(
                GatewayApplication.builder().sources(SmallSendBuffers.class),
                CourierInfrastructure.shared().redisUrl())) {
            Api viaThisGateway = new Api("http://127.0.0.1:" + port(gateway), api.sync);
            assertThat(viaThisGateway
                            .send(bob, "warm-up", "u:" + alice.userId(), "warm-up")
                            .status())
                    .isEqualTo(202);
            try (StalledClient stalled = new StalledClient(port(gateway), "/v1/ws", alice.token())) {
                for (int i = 0; i < 300; i++) {
                    stalled.send(sendFrame("unread-ack-" + "x".repeat(40) + "-" + i, "u:" + bob.userId(), "m" + i));
                }
                // for 3 s, bob's sends through the same gateway are accepted as usual
                await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> {
                            long started = System.nanoTime();
                            Api.Response probe =
                                    viaThisGateway.send(bob, Api.uniqueId("c"), "u:" + alice.userId(), "probe");
                            long elapsed = Duration.ofNanos(System.nanoTime() - started)
                                    .toMillis();
                            if (probe.status() != 202 || elapsed > 2_000) {
                                log.info(
                                        "Bob's send through the gateway: {} after {} ms: {}",
                                        probe.status(),
                                        elapsed,
                                        probe.body());
                            }
                            return probe.status() == 202 && elapsed <= 2_000;
                        });
            }
        }
    }

    @Test
    void streamClientThatStopsReadingDoesNotStallOtherUsersHints() throws IOException {
        Api.Session alice = api.newUser("alice");
        Api.Session slow = api.newUser("slow");
        Api.Session bob = api.newUser("bob");
        try (ConfigurableApplicationContext instance = startService(
                        SyncApiApplication.builder().sources(SmallSendBuffers.class),
                        CourierInfrastructure.shared().redisUrl());
                StalledClient stalled = new StalledClient(port(instance), "/v1/stream", slow.token());
                Socket bobsStream = Socket.connect("ws://127.0.0.1:" + port(instance) + "/v1/stream", bob.token())) {
            awaitHintSubscription(slow.userId());
            awaitHintSubscription(bob.userId());
            // the slow user's own account changes: one hint frame each, none of them read
            for (int i = 0; i < 300; i++) {
                assertThat(renameAccount(slow, "Slow " + i).status()).isEqualTo(200);
            }
            api.sendOk(alice, "u:" + bob.userId(), "bob reads his stream");
            Socket.Frame hint = bobsStream.awaitFrame(hintReaching(1), Duration.ofSeconds(5));
            assertThat(hint.json().path("seq").longValue()).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- helpers

    private String streamUrl() {
        return api.sync.replace("http://", "ws://") + "/v1/stream";
    }

    private String gatewaySocketUrl() {
        return api.gateway.replace("http://", "ws://") + "/v1/ws";
    }

    private List<String> sendTexts(Api.Session from, Api.Session to, int count, String prefix) {
        return IntStream.range(0, count)
                .mapToObj(i -> api.sendOk(from, "u:" + to.userId(), prefix + " " + i))
                .toList();
    }

    private static String sendFrame(String clientMsgId, String to, String text) {
        return Api.json("type", "send", "clientMsgId", clientMsgId, "to", to, "kind", "text", "content", text);
    }

    private Api.Response renameAccount(Api.Session session, String displayName) {
        return api.call(
                "PATCH",
                api.gateway + "/v1/account",
                session.token(),
                Api.json("displayName", displayName),
                "application/json");
    }

    private Api.Response putContact(Api.Session owner, String contactId, String alias) {
        return api.call(
                "PUT",
                api.gateway + "/v1/contacts/" + contactId,
                owner.token(),
                Api.json("alias", alias),
                "application/json");
    }

    private Api.Response deleteContact(Api.Session owner, String contactId) {
        return api.call("DELETE", api.gateway + "/v1/contacts/" + contactId, owner.token(), null, null);
    }

    private static RetentionJob retention() {
        return TestSystem.get().bean(RetentionJob.class);
    }

    /**
     * A token valid for 2 s. Token expiry has whole-second precision, so it is issued just after a second starts: the
     * token is then valid for almost the full 2 s, not possibly only 1.
     */
    /** A token that expires in two seconds, for a device that is signed in (unknown devices are refused). */
    private static AccessTokens.Issued issueTwoSecondToken(String userId, String deviceId) {
        TestSystem.api().device(userId, deviceId);
        await().atMost(Duration.ofSeconds(2))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> Instant.now().getNano() < 100_000_000);
        return new AccessTokens(AuthProperties.DEVELOPMENT_SECRET, Duration.ofSeconds(2), Clock.systemUTC())
                .issue(userId, deviceId);
    }

    private static Predicate<JsonNode> type(String type) {
        return frame -> type.equals(frame.path("type").asString(null));
    }

    private static Predicate<JsonNode> hintReaching(long seq) {
        return frame -> "hint".equals(frame.path("type").asString(null))
                && frame.path("seq").isIntegralNumber()
                && frame.path("seq").longValue() >= seq;
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

    private static void awaitSubscribers(String redisUrl, String userId) {
        String channel = Hints.channel(userId);
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            await().atMost(FRAME)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> connection.sync().pubsubNumsub(channel).getOrDefault(channel, 0L) >= 1);
        } finally {
            client.shutdown();
        }
    }

    private static void publish(String redisUrl, String channel, String message) {
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().publish(channel, message);
        } finally {
            client.shutdown();
        }
    }

    private static void assertErrorFrame(
            JsonNode frame, String clientMsgId, int status, String code, String detailStartsWith) {
        assertThat(frame.path("type").asString()).as(frame.toString()).isEqualTo("error");
        assertThat(frame.path("status").asInt()).as(frame.toString()).isEqualTo(status);
        assertThat(frame.path("code").asString()).as(frame.toString()).isEqualTo(code);
        assertThat(frame.path("detail").asString()).as(frame.toString()).startsWith(detailStartsWith);
        if (clientMsgId == null) {
            assertThat(frame.has("clientMsgId")).as(frame.toString()).isFalse();
        } else {
            assertThat(frame.path("clientMsgId").asString())
                    .as(frame.toString())
                    .isEqualTo(clientMsgId);
        }
    }

    private static void assertProblem(Api.Response response, int status, String code, String detailContains) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.code()).isEqualTo(code);
        assertThat(response.body().path("status").asInt()).isEqualTo(status);
        assertThat(response.body().path("detail").asString())
                .as(response.body().toString())
                .contains(detailContains);
    }

    /** Another sync-api instance on the test infrastructure, with the given Redis. */
    private static ConfigurableApplicationContext startSyncApi(String redisUrl, String... extra) {
        return startService(SyncApiApplication.builder(), redisUrl, extra);
    }

    /** Another instance of a service on the test infrastructure, with the given Redis. */
    private static ConfigurableApplicationContext startService(
            SpringApplicationBuilder service, String redisUrl, String... extra) {
        List<String> args = new ArrayList<>(CourierInfrastructure.shared().springArguments().stream()
                .filter(arg -> !arg.startsWith("--spring.data.redis.url="))
                .toList());
        args.add("--spring.data.redis.url=" + redisUrl);
        args.add("--server.port=0");
        args.add("--spring.main.banner-mode=off");
        args.add("--logging.include-application-name=false");
        args.add("--courier.sync.retention.interval=0");
        args.addAll(List.of(extra));
        return service.registerShutdownHook(false).logStartupInfo(false).run(args.toArray(String[]::new));
    }

    /**
     * Small TCP send buffers on the server's sockets: a client that stops reading fills them after a few KiB instead
     * of a few MiB, as on a slow mobile link.
     */
    @Configuration(proxyBeanMethods = false)
    static class SmallSendBuffers {

        @Bean
        TomcatConnectorCustomizer smallSendBuffers() {
            return connector -> connector.setProperty("socket.txBufSize", "4096");
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private static long ackedSeq(String userId, String deviceId) {
        // syncs record acknowledgements in memory; they are written once a second, or now
        TestSystem.get().bean(DeviceAcknowledgements.class).flush();
        return queryLongs("SELECT acked_seq FROM devices WHERE user_id = ? AND device_id = ?", userId, deviceId)
                .getFirst();
    }

    private static void update(String sql, Object... params) {
        Infrastructure infrastructure = CourierInfrastructure.shared();
        try (Connection connection = DriverManager.getConnection(
                        infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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

    private static List<Long> queryLongs(String sql, Object... params) {
        Infrastructure infrastructure = CourierInfrastructure.shared();
        try (Connection connection = DriverManager.getConnection(
                        infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            List<Long> values = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    values.add(result.getLong(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
