package dev.courier.push;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;
import dev.courier.push.provider.WebhookProvider;

/**
 * A webhook receiver on a free local port, as an operator's push gateway would run one: it records every POST with its
 * body and signature, and answers as the test tells it for each device token (204 by default).
 */
final class WebhookReceiver implements AutoCloseable {

    /** What arrived. */
    record Received(String rawBody, JsonNode body, String signature, long at) {

        String token() {
            return body.path("token").asString();
        }

        long seq() {
            return body.path("seq").asLong();
        }
    }

    /** How to answer: a status, a {@code Retry-After} (or null), and a latch to hang on first (or null). */
    record Answer(int status, String retryAfter, CountDownLatch hang) {

        static Answer of(int status) {
            return new Answer(status, null, null);
        }
    }

    private final HttpServer server;

    private final List<Received> received = new CopyOnWriteArrayList<>();

    private final Map<String, Function<Received, Answer>> answers = new ConcurrentHashMap<>();

    final byte[] secret;

    WebhookReceiver(String secret) throws IOException {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/push", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/push";
    }

    /** Answers the pushes of this token so from now on. */
    void answer(String token, Function<Received, Answer> answer) {
        answers.put(token, answer);
    }

    /** Every push that arrived for this token, in order (those answered with an error included). */
    List<Received> pushes(String token) {
        return received.stream().filter(r -> r.token().equals(token)).toList();
    }

    List<Received> all() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String body = new String(raw, StandardCharsets.UTF_8);
            String signature = exchange.getRequestHeaders().getFirst(WebhookProvider.SIGNATURE_HEADER);
            Received push = new Received(body, Json.MAPPER.readTree(body), signature, System.currentTimeMillis());
            received.add(push);
            if (!WebhookProvider.signature(secret, raw).equals(signature)) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            Answer answer =
                    answers.getOrDefault(push.token(), r -> Answer.of(204)).apply(push);
            if (answer.hang() != null) {
                try {
                    answer.hang().await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
            }
            exchange.sendResponseHeaders(answer.status(), -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
