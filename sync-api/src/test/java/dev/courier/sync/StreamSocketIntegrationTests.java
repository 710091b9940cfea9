package dev.courier.sync;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.common.AccessTokens;
import dev.courier.common.Hints;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;
import dev.courier.testinfra.client.StalledClient;
import dev.courier.testinfra.client.Tokens;
import dev.courier.web.AuthProperties;

import static dev.courier.testinfra.client.Problems.assertErrorFrame;
import static dev.courier.testinfra.client.Socket.hintReaching;
import static dev.courier.testinfra.client.Socket.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stream WebSocket ({@code GET /v1/stream}, {@link StreamSocketHandler}) with hints published on Redis and rows
 * put in the database: hint frames carry increasing seq, data hints say what changed, sync frames are answered with
 * the delta of {@code POST /v1/sync}, bad frames with error frames; the user's channel is subscribed while a stream is
 * open, also when Redis was away.
 */
class StreamSocketIntegrationTests {

    private static final Duration FRAME = Duration.ofSeconds(10);

    private final Api api = TestSyncApi.api();

    private final String url = api.sync.replace("http://", "ws://") + "/v1/stream";

    @AfterEach
    void redisBack() {
        TestSyncApi.redisBack();
    }

    @Test
    void hintsCarryIncreasingSeqAndSyncFramesAreAnsweredWithTheDeltaOfARestSync() {
        Api.Session bob = TestSyncApi.newSession("bob");
        try (Socket stream = Socket.connect(url, bob.token())) {
            awaitSubscribers(bob, 1);
            stream.send("{\"type\":\"sync\"}");
            JsonNode initial = stream.await(type("delta"), FRAME);
            assertThat(initial.path("resync").asBoolean()).isFalse();
            assertThat(initial.path("hasMore").asBoolean()).isFalse();
            assertThat(initial.path("account").path("userId").asString()).isEqualTo(bob.userId());
            assertThat(initial.path("messages")).isEmpty();
            String key = initial.path("syncKey").asString();

            List<String> sent = TestRows.deliverTexts("alice", bob.userId(), 5, "hinted");
            for (long seq = 1; seq <= 5; seq++) {
                TestSyncApi.publishInboxHint(bob.userId(), seq);
            }
            List<Long> hinted = new ArrayList<>();
            while (hinted.isEmpty() || hinted.getLast() < 5) {
                hinted.add(stream.await(type("hint"), FRAME).path("seq").longValue());
            }
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
        }
    }

    @Test
    void aHintBelowOneAlreadySentIsNeverSentAndDataHintsAreFramesOfTheirOwn() {
        Api.Session bob = TestSyncApi.newSession("bob");
        try (Socket stream = Socket.connect(url, bob.token())) {
            awaitSubscribers(bob, 1);
            TestSyncApi.publishInboxHint(bob.userId(), 5);
            assertThat(stream.await(type("hint"), FRAME).toString()).isEqualTo("{\"type\":\"hint\",\"seq\":5}");
            TestSyncApi.publishInboxHint(bob.userId(), 3);
            TestSyncApi.publishHint(bob.userId(), Hints.ACCOUNT);
            assertThat(stream.await(type("hint"), FRAME).toString())
                    .as("seq 3 is behind what the stream was told")
                    .isEqualTo("{\"type\":\"hint\",\"data\":\"account\"}");
            TestSyncApi.publishHint(bob.userId(), Hints.CONTACTS);
            assertThat(stream.await(type("hint"), FRAME).toString())
                    .isEqualTo("{\"type\":\"hint\",\"data\":\"contacts\"}");
            TestSyncApi.publishInboxHint(bob.userId(), 6);
            assertThat(stream.await(type("hint"), FRAME).toString()).isEqualTo("{\"type\":\"hint\",\"seq\":6}");
        }
    }

    @Test
    void pingIsAnsweredWithPongAndBadFramesWithErrorFramesAndTheStreamStaysOpen() {
        Api.Session alice = TestSyncApi.newSession("alice");
        Api.Session bob = TestSyncApi.newSession("bob");
        String alicesKey = TestSyncApi.firstSyncKey(alice.token());
        try (Socket stream = Socket.connect(url, bob.token())) {
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
            stream.send(Api.json("type", "sync", "limit", 501));
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_request", "limit");
            stream.send(Api.json("type", "sync", "syncKey", 12));
            assertErrorFrame(stream.next(FRAME), null, 400, "invalid_request", "syncKey");
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
    void theTokenMayBeTheAccessTokenQueryParameter() {
        Api.Session bob = TestSyncApi.newSession("bob");
        try (Socket stream = Socket.connectWithQueryToken(url, bob.token())) {
            awaitSubscribers(bob, 1);
            stream.send("{\"type\":\"sync\"}");
            assertThat(stream.await(type("delta"), FRAME)
                            .path("account")
                            .path("userId")
                            .asString())
                    .isEqualTo(bob.userId());
            TestSyncApi.publishInboxHint(bob.userId(), 1);
            assertThat(stream.await(type("hint"), FRAME).path("seq").longValue())
                    .isEqualTo(1);
        }
    }

    @Test
    void aMissingOrBadTokenIsRefusedWith401AtTheHandshake() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String otherSecret = new AccessTokens(
                        "another-secret-that-is-long-enough-32b", Duration.ofHours(1), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        String expired = new AccessTokens(AuthProperties.DEVELOPMENT_SECRET, Duration.ofSeconds(-10), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        String unknownDevice = new AccessTokens(
                        AuthProperties.DEVELOPMENT_SECRET, Duration.ofHours(1), Clock.systemUTC())
                .issue(bob.userId(), "never-logged-in")
                .token();
        assertThat(Socket.refusedHandshakeStatus(url, null)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(url, "not-a-token")).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(url, otherSecret)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(url, expired)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(url, unknownDevice)).isEqualTo(401);
        assertThat(Socket.refusedHandshakeStatus(url + "?access_token=not-a-token", null))
                .isEqualTo(401);
    }

    @Test
    void streamIsClosedWith1008OnTheFirstFrameAfterItsTokenExpired() {
        Api.Session bob = TestSyncApi.newSession("bob");
        TestSyncApi.newDevice(bob.userId(), "laptop", System.currentTimeMillis());
        AccessTokens.Issued shortLived =
                Tokens.expiringInTwoSeconds(AuthProperties.DEVELOPMENT_SECRET, bob.userId(), "laptop");
        try (Socket stream = Socket.connect(url, shortLived.token())) {
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
    void streamIsClosedWith1009OnAFrameLargerThan64KiB() {
        Api.Session bob = TestSyncApi.newSession("bob");
        try (Socket stream = Socket.connect(url, bob.token())) {
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
    void closingOneOfAUsersStreamsOrLongPollsKeepsTheHintsOfTheOthers() {
        Api.Session phone = TestSyncApi.newSession("bob");
        Api.Session laptop = TestSyncApi.newDevice(phone.userId(), "laptop", System.currentTimeMillis());
        try (Socket phoneStream = Socket.connect(url, phone.token());
                Socket laptopStream = Socket.connect(url, laptop.token())) {
            awaitSubscribers(phone, 1);
            TestSyncApi.publishInboxHint(phone.userId(), 1);
            phoneStream.await(hintReaching(1), FRAME);
            laptopStream.await(hintReaching(1), FRAME);

            // a long poll of the same user comes and goes
            String key = TestSyncApi.firstSyncKey(laptop.token());
            assertThat(api.sync(laptop, key, null, 300L).body().path("syncKey").asString())
                    .isEqualTo(key);
            TestSyncApi.publishInboxHint(phone.userId(), 2);
            phoneStream.await(hintReaching(2), FRAME);
            laptopStream.await(hintReaching(2), FRAME);

            // one stream closes, the other keeps getting hints
            phoneStream.close();
            TestSyncApi.publishInboxHint(phone.userId(), 3);
            laptopStream.await(hintReaching(3), FRAME);
            assertThat(TestSyncApi.subscribers(phone.userId())).isEqualTo(1);
        }
        awaitSubscribers(phone, 0);
    }

    @Test
    void streamDroppedWithoutACloseHandshakeReleasesItsHintSubscription() {
        Api.Session bob = TestSyncApi.newSession("bob");
        Socket stream = Socket.connect(url, bob.token());
        awaitSubscribers(bob, 1);
        stream.abort();
        awaitSubscribers(bob, 0);
    }

    @Test
    void clientThatStopsReadingDoesNotStallOtherUsersHints() throws IOException {
        Api.Session slow = TestSyncApi.newSession("slow");
        Api.Session bob = TestSyncApi.newSession("bob");
        int port = Integer.parseInt(api.sync.substring(api.sync.lastIndexOf(':') + 1));
        try (StalledClient stalled = new StalledClient(port, "/v1/stream", slow.token());
                Socket bobsStream = Socket.connect(url, bob.token())) {
            awaitSubscribers(slow, 1);
            awaitSubscribers(bob, 1);
            // one hint frame each, none of them read
            for (int i = 0; i < 300; i++) {
                TestSyncApi.publishHint(slow.userId(), i % 2 == 0 ? Hints.ACCOUNT : Hints.CONTACTS);
            }
            TestSyncApi.publishInboxHint(bob.userId(), 1);
            Socket.Frame hint = bobsStream.awaitFrame(hintReaching(1), Duration.ofSeconds(5));
            assertThat(hint.json().path("seq").longValue()).isEqualTo(1);
        }
    }

    @Test
    void streamsOpenedBeforeAndWhileRedisWasCutOffGetHintsOnceItIsBack() {
        Api.Session before = TestSyncApi.newSession("before");
        Api.Session during = TestSyncApi.newSession("during");
        try (Socket beforeStream = Socket.connect(url, before.token())) {
            awaitSubscribers(before, 1);
            TestSyncApi.redis().cut();
            try (Socket duringStream = Socket.connect(url, during.token())) {
                duringStream.send("{\"type\":\"sync\"}");
                assertThat(duringStream
                                .await(type("delta"), FRAME)
                                .path("account")
                                .path("userId")
                                .asString())
                        .as("syncs need no Redis")
                        .isEqualTo(during.userId());

                TestSyncApi.redis().restore();
                awaitSubscribers(before, 1);
                awaitSubscribers(during, 1);
                TestSyncApi.publishInboxHint(before.userId(), 11);
                TestSyncApi.publishInboxHint(during.userId(), 12);
                assertThat(beforeStream.await(type("hint"), FRAME).path("seq").longValue())
                        .isEqualTo(11);
                assertThat(duringStream.await(type("hint"), FRAME).path("seq").longValue())
                        .isEqualTo(12);
            }
        }
    }

    /** Waits until this many connections subscribe to the user's hint channel (on Redis itself). */
    private static void awaitSubscribers(Api.Session user, long count) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> TestSyncApi.subscribers(user.userId()) == count);
    }
}
