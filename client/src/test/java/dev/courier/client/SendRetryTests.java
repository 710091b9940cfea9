package dev.courier.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sends and the calls about a message against a scripted gateway (REST only): what is retried, how, and what is not.
 */
class SendRetryTests {

    private static final ClientSettings FAST = ClientSettings.defaults()
            .withGatewaySocket(false)
            .withFirstResponseTimeout(Duration.ofSeconds(5))
            .withRetryBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 2));

    private record Answer(int status, String retryAfter, String body) {}

    private record Received(Instant at, String method, String path, String token, JsonNode body) {}

    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();

    private final List<Received> sends = new CopyOnWriteArrayList<>();

    private final AtomicInteger logins = new AtomicInteger();

    private final CountDownLatch released = new CountDownLatch(1);

    private HttpServer server;

    private CourierClient client;

    @BeforeEach
    void startGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(
                "/v1/sessions",
                exchange -> answer(
                        exchange,
                        200,
                        "{\"token\":\"token-" + logins.incrementAndGet() + "\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}",
                        null));
        server.createContext("/v1/messages", exchange -> {
            JsonNode body = Http.JSON.readTree(exchange.getRequestBody().readAllBytes());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            sends.add(new Received(
                    Instant.now(),
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    auth.substring("Bearer ".length()),
                    body));
            Answer next = script.poll();
            if (next == null) {
                await(released); // no answer at all: the client's first-response timeout must act
                return;
            }
            answer(
                    exchange,
                    next.status(),
                    next.body().replace("$id", body.path("clientMsgId").asString()),
                    next.retryAfter());
        });
        server.start();
        client = CourierClient.builder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                        URI.create("http://127.0.0.1:1"))
                .credentials(new Credentials("alice", "alice-secret", "test"))
                .settings(FAST)
                .build();
    }

    @AfterEach
    void stop() {
        released.countDown();
        client.close();
        server.stop(0);
    }

    @Test
    void retriesUnavailableAndRateLimitedWithTheSameClientMsgIdHonouringRetryAfter() throws Exception {
        script.add(new Answer(503, "0", problem(503, "unavailable", "the message log is unavailable; retry")));
        script.add(new Answer(429, "1", problem(429, "rate_limited", "slow down")));
        script.add(accepted());

        String messageId = client.send("u:bob", "hello").get(10, TimeUnit.SECONDS);

        assertThat(messageId).startsWith("m-");
        assertThat(sends).hasSize(3);
        assertThat(sends)
                .extracting(s -> s.body().path("clientMsgId").asString())
                .containsOnly(messageId.substring(2));
        assertThat(sends.getFirst().body().path("content").asString()).isEqualTo("hello");
        assertThat(Duration.between(sends.get(1).at(), sends.get(2).at()))
                .as("Retry-After: 1")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aPermanentRefusalFailsAtOnceWithTheProblem() {
        script.add(new Answer(404, null, problem(404, "not_found", "to: no user 'nobody'")));

        CompletableFuture<String> sent = client.send("u:nobody", "hello?");

        assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(CourierException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("not_found");
                    assertThat(e.detail()).isEqualTo("to: no user 'nobody'");
                });
        assertThat(sends).hasSize(1);
    }

    @Test
    void anUnansweredSendIsRetriedWithTheSameIdUntilTheTotalTimeout() {
        CourierClient impatient = CourierClient.builder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                        URI.create("http://127.0.0.1:1"))
                .credentials(new Credentials("alice", "alice-secret", "test"))
                .settings(
                        FAST.withFirstResponseTimeout(Duration.ofMillis(200)).withSendTimeout(Duration.ofMillis(1500)))
                .build();
        try {
            CompletableFuture<String> sent = impatient.send("c-timeout", "u:bob", Content.text("anyone?"));

            assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("send c-timeout");
            assertThat(sends.size()).isGreaterThanOrEqualTo(3);
            assertThat(sends)
                    .extracting(s -> s.body().path("clientMsgId").asString())
                    .containsOnly("c-timeout");
        } finally {
            impatient.close();
        }
    }

    @Test
    void aRefusedTokenIsReplacedByANewLoginAndTheSendRetried() throws Exception {
        script.add(new Answer(401, null, problem(401, "unauthenticated", "token expired")));
        script.add(accepted());

        client.send("u:bob", "hi").get(10, TimeUnit.SECONDS);

        assertThat(logins).hasValue(2);
        assertThat(sends).extracting(Received::token).containsExactly("token-1", "token-2");
    }

    @Test
    void sendsMediaReferences() throws Exception {
        script.add(accepted());

        client.send("u:bob", Content.media("image", "https://cdn.example/cat.png", "image/png", 1234))
                .get(10, TimeUnit.SECONDS);

        JsonNode body = sends.getFirst().body();
        assertThat(body.path("kind").asString()).isEqualTo("image");
        assertThat(body.path("content").path("url").asString()).isEqualTo("https://cdn.example/cat.png");
        assertThat(body.path("content").path("mime").asString()).isEqualTo("image/png");
        assertThat(body.path("content").path("size").asLong()).isEqualTo(1234);
    }

    @Test
    void aReplyToAMessageNotStoredYetIsRetriedWithTheSameIdUntilItIs() throws Exception {
        script.add(new Answer(400, null, problem(400, "invalid_request", "replyTo: no message 'm-1' of d:alice:bob")));
        script.add(new Answer(400, null, problem(400, "invalid_request", "replyTo: no message 'm-1' of d:alice:bob")));
        script.add(accepted());

        String messageId = client.reply("u:bob", "m-1", "yes!").get(10, TimeUnit.SECONDS);

        assertThat(sends).hasSize(3);
        assertThat(sends).extracting(s -> s.body().path("replyTo").asString()).containsOnly("m-1");
        assertThat(sends)
                .extracting(s -> s.body().path("clientMsgId").asString())
                .containsOnly(messageId.substring(2));
        assertThat(sends.getFirst().body().path("content").asString()).isEqualTo("yes!");
    }

    @Test
    void aReplyToNoSuchMessageFailsOnceTheTargetWaitRanOutAndOtherRefusalsAtOnce() {
        CourierClient brief = client(FAST.withTargetWait(Duration.ofMillis(300)));
        try {
            for (int i = 0; i < 100; i++) {
                script.add(new Answer(400, null, problem(400, "invalid_request", "replyTo: no message 'm-x'")));
            }
            CompletableFuture<String> sent = brief.send("c-reply", "u:bob", Content.text("?"), "m-x");

            assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(CourierException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.detail()).startsWith("replyTo:");
                    });
            assertThat(sends.size()).isGreaterThanOrEqualTo(2);

            script.clear();
            sends.clear();
            script.add(new Answer(400, null, problem(400, "invalid_request", "content: must not be empty")));
            CompletableFuture<String> empty = brief.send("c-empty", "u:bob", Content.text(""), "m-x");
            assertThatThrownBy(() -> empty.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(
                            CourierException.class, e -> assertThat(e.detail()).startsWith("content:"));
            assertThat(sends).hasSize(1);
        } finally {
            brief.close();
        }
    }

    @Test
    void aChangeOfAMessageNotStoredYetIsRetriedAfter404AndAnUnknownOneRefusedAfterTheTargetWait() {
        script.add(new Answer(404, null, problem(404, "not_found", "no message 'm-1'")));
        script.add(new Answer(202, null, "{\"messageId\":\"m-1\",\"recalledAt\":\"2026-01-01T00:00:01.5Z\"}"));

        assertThat(client.recall("m-1")).isEqualTo(Instant.parse("2026-01-01T00:00:01.5Z"));
        assertThat(sends).hasSize(2).allSatisfy(s -> {
            assertThat(s.method()).isEqualTo("POST");
            assertThat(s.path()).isEqualTo("/v1/messages/m-1/recall");
        });

        CourierClient brief = client(FAST.withTargetWait(Duration.ofMillis(300)));
        try {
            sends.clear();
            for (int i = 0; i < 100; i++) {
                script.add(new Answer(404, null, problem(404, "not_found", "no message 'm-2'")));
            }
            assertThatThrownBy(() -> brief.edit("m-2", "new text"))
                    .isInstanceOfSatisfying(
                            CourierException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
            assertThat(sends.size()).isGreaterThanOrEqualTo(2);
            assertThat(sends.getFirst().method()).isEqualTo("PATCH");
            assertThat(sends.getFirst().body().path("content").asString()).isEqualTo("new text");

            script.clear();
            sends.clear();
            script.add(new Answer(403, null, problem(403, "forbidden", "only the sender may recall a message")));
            assertThatThrownBy(() -> brief.recall("m-3"))
                    .isInstanceOfSatisfying(
                            CourierException.class, e -> assertThat(e.status()).isEqualTo(403));
            assertThat(sends).hasSize(1);
        } finally {
            brief.close();
        }
    }

    @Test
    void reactionsPutAndDeleteTheEmojiPercentEncodedInThePath() {
        script.add(new Answer(204, null, ""));
        script.add(new Answer(204, null, ""));
        script.add(new Answer(204, null, ""));

        client.react("m-1", "👍");
        client.unreact("m-1", "👍");
        client.deleteForMe("m-1");

        assertThat(sends)
                .extracting(s -> s.method() + " " + s.path())
                .containsExactly(
                        "PUT /v1/messages/m-1/reactions/%F0%9F%91%8D",
                        "DELETE /v1/messages/m-1/reactions/%F0%9F%91%8D", "DELETE /v1/messages/m-1");
        assertThatThrownBy(() -> client.react("not an id", "👍")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.react("m-1", "")).isInstanceOf(IllegalArgumentException.class);
    }

    private CourierClient client(ClientSettings settings) {
        return CourierClient.builder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                        URI.create("http://127.0.0.1:1"))
                .credentials(new Credentials("alice", "alice-secret", "test"))
                .settings(settings)
                .build();
    }

    private static Answer accepted() {
        return new Answer(
                202, null, "{\"messageId\":\"m-$id\",\"clientMsgId\":\"$id\",\"acceptedAt\":\"2026-01-01T00:00:00Z\"}");
    }

    private static String problem(int status, String code, String detail) {
        return "{\"type\":\"https://courier.dev/problems/" + code + "\",\"title\":\"x\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\",\"code\":\"" + code + "\"}";
    }

    private static void answer(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders()
                .set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
