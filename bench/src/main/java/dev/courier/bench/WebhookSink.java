package dev.courier.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The push scenario's webhook receiver, in the benchmark's process, doing what a real receiver must: read the body,
 * check {@code Courier-Signature} (HMAC-SHA256 of the body), parse it, answer 204. It notes when each push arrived.
 */
final class WebhookSink implements AutoCloseable {

    static final String PATH = "/push";

    /** One push as it arrived (wall clock, microseconds). */
    record Arrival(String userId, String messageId, long micros) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;

    private final byte[] secret;

    private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();

    private final AtomicLong refused = new AtomicLong();

    WebhookSink(String secret) throws IOException {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(PATH, this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** {@code sha256=<hex>} of the body, as the push-worker signs it. */
    String signature(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    long size() {
        return arrivals.size();
    }

    long refused() {
        return refused.get();
    }

    /** Forgets what arrived (after the baseline, before the scenario). */
    void reset() {
        arrivals.clear();
        refused.set(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long now = Run.nowMicros();
            if (!signature(body).equals(exchange.getRequestHeaders().getFirst("Courier-Signature"))) {
                refused.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            JsonNode push = JSON.readTree(body);
            arrivals.add(new Arrival(
                    push.path("userId").asString(""), push.path("messageId").asString(""), now));
            exchange.sendResponseHeaders(204, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
