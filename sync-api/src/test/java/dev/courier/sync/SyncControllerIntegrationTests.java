package dev.courier.sync;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Hints;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /v1/sync} over HTTP: bounds of {@code limit} and {@code waitMs}, bad keys and bodies as problems; long
 * polls woken by a hint or answered empty with the same key when the wait runs out, with Redis up or cut off.
 */
class SyncControllerIntegrationTests {

    private final Api api = TestSyncApi.api();

    @AfterEach
    void redisBack() {
        TestSyncApi.redisBack();
    }

    @Test
    void limitAndWaitMsOutsideTheirBoundsAndBadBodiesAreInvalidRequests() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String url = api.sync + "/v1/sync";
        assertProblem(api.sync(bob, null, 0), 400, "invalid_request", "limit");
        assertProblem(api.sync(bob, null, 501), 400, "invalid_request", "limit");
        assertThat(api.sync(bob, null, 500).status()).isEqualTo(200);
        assertThat(api.sync(bob, null, 1).status()).isEqualTo(200);
        assertProblem(api.sync(bob, null, null, -1L), 400, "invalid_request", "waitMs");
        assertProblem(api.sync(bob, null, null, 30_001L), 400, "invalid_request", "waitMs");
        assertProblem(api.post(url + "?waitMs=soon", bob.token(), "{}"), 400, "invalid_request", "waitMs");
        assertProblem(api.post(url, bob.token(), "{\"limit\": \"many\"}"), 400, "invalid_request", "limit");
        assertProblem(api.post(url, bob.token(), "{\"syncKey\": \"abc"), 400, "invalid_request", "end-of-input");
        assertProblem(api.post(url, bob.token(), "{\"limit\": 5,"), 400, "invalid_request", "malformed JSON");
        assertProblem(api.post(url, bob.token(), "{\"syncKey\": 12}"), 400, "invalid_request", "syncKey");
    }

    @Test
    void malformedAlteredAndForeignKeysAreInvalidSyncKeys() {
        Api.Session alice = TestSyncApi.newSession("alice");
        Api.Session bob = TestSyncApi.newSession("bob");
        TestRows.deliver("carol", "for alice only", alice.userId());
        String alicesKey = api.sync(alice, null, null).body().path("syncKey").asString();
        assertProblem(api.sync(bob, alicesKey, null), 400, "invalid_sync_key", "another user");
        assertProblem(api.sync(bob, "garbage!", null), 400, "invalid_sync_key", "syncKey");
        assertProblem(
                api.sync(bob, alicesKey.substring(0, alicesKey.length() - 3) + "AAA", null),
                400,
                "invalid_sync_key",
                "syncKey");
        assertThat(api.sync(bob, null, null).body().path("messages"))
                .as("bob reads his own inbox only")
                .isEmpty();
    }

    @Test
    void unauthenticatedUnknownAndOversizedRequestsAreProblemsAndTheIndexAnswers() throws Exception {
        Api.Session bob = TestSyncApi.newSession("bob");
        Api.Response none = api.call("POST", api.sync + "/v1/sync", null, "{}", "application/json");
        assertProblem(none, 401, "unauthenticated", "Authorization");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertProblem(
                api.post(api.sync + "/v1/sync", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA", "{}"), 401, "unauthenticated", "");
        assertProblem(api.call("GET", api.sync + "/v1/nothing-here", bob.token(), null, null), 404, "not_found", "");
        assertProblem(api.call("GET", api.sync + "/v1/sync", bob.token(), null, null), 405, "invalid_request", "GET");
        assertThat(api.call("GET", api.sync + "/", null, null, null)
                        .body()
                        .path("service")
                        .asString())
                .isEqualTo("courier-sync-api");

        // without Content-Length (chunked), the body is cut off as it passes the limit
        String huge = "{\"syncKey\":\"" + "x".repeat(200_000) + "\"}";
        assertProblem(api.postChunked(api.sync + "/v1/sync", bob.token(), huge), 413, "payload_too_large", "body");
    }

    @Test
    void longPollIsWokenByAnInboxHint() throws Exception {
        Api.Session bob = TestSyncApi.newSession("bob");
        String key = TestSyncApi.firstSyncKey(bob.token());
        CompletableFuture<Api.Response> poll = CompletableFuture.supplyAsync(() -> api.sync(bob, key, null, 20_000L));
        awaitSubscribers(bob, 1);
        String sent = TestRows.deliver("alice", "wake up", bob.userId());
        TestSyncApi.publishInboxHint(bob.userId(), 1);

        Api.Response answer = poll.get(25, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().path("messages").findValuesAsString("messageId"))
                .containsExactly(sent);
        assertThat(answer.body().path("syncKey").asString()).isNotEqualTo(key);
        awaitSubscribers(bob, 0);
    }

    @Test
    void longPollIsWokenByAnAccountHint() throws Exception {
        Api.Session bob = TestSyncApi.newSession("bob");
        String key = TestSyncApi.firstSyncKey(bob.token());
        CompletableFuture<Api.Response> poll = CompletableFuture.supplyAsync(() -> api.sync(bob, key, null, 20_000L));
        awaitSubscribers(bob, 1);
        TestRows.rename(bob.userId(), "Woken");
        TestSyncApi.publishHint(bob.userId(), Hints.ACCOUNT);

        Api.Response answer = poll.get(25, TimeUnit.SECONDS);
        assertThat(answer.body().path("account").path("displayName").asString()).isEqualTo("Woken");
        assertThat(answer.body().path("messages")).isEmpty();
    }

    @Test
    void longPollIsWokenByAGroupsHint() throws Exception {
        Api.Session bob = TestSyncApi.newSession("bob");
        String groupId = TestSyncApi.uniqueId("g");
        TestRows.group(groupId, "Before", "alice", bob.userId());
        String key = TestSyncApi.firstSyncKey(bob.token());
        CompletableFuture<Api.Response> poll = CompletableFuture.supplyAsync(() -> api.sync(bob, key, null, 20_000L));
        awaitSubscribers(bob, 1);
        TestRows.renameGroup(groupId, "After");
        TestRows.groupChanged(bob.userId(), groupId, false, false);
        TestSyncApi.publishHint(bob.userId(), Hints.GROUPS);

        Api.Response answer = poll.get(25, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().path("groups").findValuesAsString("name")).containsExactly("After");
        assertThat(answer.body().path("messages")).isEmpty();
        assertThat(answer.body().path("syncKey").asString()).isNotEqualTo(key);
    }

    @Test
    void longPollIsAnsweredWithAnEmptyDeltaAndTheSameKeyWhenItsWaitRunsOut() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String key = TestSyncApi.firstSyncKey(bob.token());
        long started = System.nanoTime();
        Api.Response answer = api.sync(bob, key, null, 1_000L);
        long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(elapsed).as("it waited").isGreaterThanOrEqualTo(990L);
        assertEmpty(answer.body(), key);
        // a hint without anything new does not answer it either
        CompletableFuture<Api.Response> poll = CompletableFuture.supplyAsync(() -> api.sync(bob, key, null, 1_500L));
        awaitSubscribers(bob, 1);
        TestSyncApi.publishInboxHint(bob.userId(), 0);
        assertEmpty(poll.join().body(), key);
    }

    @Test
    void longPollWithABadKeyOrWaitIsRefusedAtOnce() {
        Api.Session bob = TestSyncApi.newSession("bob");
        long started = System.nanoTime();
        assertProblem(api.sync(bob, "not-a-sync-key", null, 20_000L), 400, "invalid_sync_key", "");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("not after the wait")
                .isLessThan(Duration.ofSeconds(20));
        assertThat(TestSyncApi.subscribers(bob.userId())).as("nothing was held").isZero();
    }

    @Test
    void withRedisCutOffSyncsWorkAndALongPollAnswersAtItsTimeout() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String key = TestSyncApi.firstSyncKey(bob.token());
        TestSyncApi.redis().cut();

        long started = System.nanoTime();
        Api.Response polled = api.sync(bob, key, null, 1_500L);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1_490));
        assertThat(polled.status()).as(polled.body().toString()).isEqualTo(200);
        assertEmpty(polled.body(), key);

        String sent = TestRows.deliver("alice", "no hint needed", bob.userId());
        assertThat(api.sync(bob, key, null).body().path("messages").findValuesAsString("messageId"))
                .containsExactly(sent);
        try (Socket stream = Socket.connect(api.sync.replace("http://", "ws://") + "/v1/stream", bob.token())) {
            stream.send(Api.json("type", "sync", "syncKey", key));
            assertThat(stream.await(frame -> frame.path("type").asString().equals("delta"), Duration.ofSeconds(10))
                            .path("messages")
                            .findValuesAsString("messageId"))
                    .containsExactly(sent);
        }
    }

    private static void assertEmpty(JsonNode answer, String key) {
        assertThat(answer.path("messages")).isEmpty();
        assertThat(answer.path("contacts")).isEmpty();
        assertThat(answer.path("groups").isArray()).as("groups: []").isTrue();
        assertThat(answer.path("groups")).isEmpty();
        assertThat(answer.path("account").isNull()).isTrue();
        assertThat(answer.path("hasMore").asBoolean()).isFalse();
        assertThat(answer.path("resync").asBoolean()).isFalse();
        assertThat(answer.path("syncKey").asString()).isEqualTo(key);
    }

    /** Waits until this many connections subscribe to the user's hint channel (a poll is held once it is 1). */
    private static void awaitSubscribers(Api.Session user, long count) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> TestSyncApi.subscribers(user.userId()) == count);
    }
}
