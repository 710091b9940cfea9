package dev.courier.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;

/**
 * The push receiver an operator would run behind {@code courier.push.webhook.url}, on a free local port: it checks
 * {@code Courier-Signature} as PROTOCOL.md tells a receiver to (its own HMAC code, not the worker's), records every
 * push, and answers 204, or for a token told so 500 or only once released.
 */
final class WebhookReceiver implements AutoCloseable {

    /** What arrived, and whether its signature was right. */
    record Received(JsonNode body, boolean signed) {

        String token() {
            return body.path("token").asString();
        }

        long seq() {
            return body.path("seq").asLong();
        }
    }

    private final HttpServer server;

    private final byte[] secret;

    private final List<Received> received = new CopyOnWriteArrayList<>();

    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();

    private final Map<String, CountDownLatch> hangs = new ConcurrentHashMap<>();

    WebhookReceiver(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/push", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/push";
    }

    /** Answers the token's pushes with this status from now on. */
    void answer(String token, int status) {
        statuses.put(token, status);
    }

    /** Holds the token's pushes unanswered until the latch is released. */
    void hang(String token, CountDownLatch release) {
        hangs.put(token, release);
    }

    List<Received> pushes(String token) {
        return received.stream().filter(push -> push.token().equals(token)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            boolean signed =
                    ("sha256=" + hmac(raw)).equals(exchange.getRequestHeaders().getFirst("Courier-Signature"));
            Received push = new Received(Json.MAPPER.readTree(raw), signed);
            received.add(push);
            if (!signed) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            CountDownLatch hang = hangs.get(push.token());
            if (hang != null) {
                try {
                    hang.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(statuses.getOrDefault(push.token(), 204), -1);
        }
    }

    private String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hangs.values().forEach(CountDownLatch::countDown);
        server.stop(0);
    }
}
