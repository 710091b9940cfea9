package dev.courier.bench;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's HTTP client reads what servers send: fixed lengths, chunked bodies, bodiless 204s, closed
 * connections.
 */
class MiniHttpTests {

    private HttpServer server;

    private final AtomicInteger connections = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fixed", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0); // 0: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 100; i++) {
                    out.write(("part" + i + ";").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        server.createContext("/empty", exchange -> {
            connections.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1); // no Content-Length: a 204 has no body
            exchange.close();
        });
        server.createContext("/close", exchange -> {
            connections.incrementAndGet();
            exchange.getResponseHeaders().add("Connection", "close");
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void readsFixedLengthAnswersOverOneConnection() throws Exception {
        try (MiniHttp http = new MiniHttp(base())) {
            for (int i = 0; i < 50; i++) {
                MiniHttp.Response answer = http.post("/fixed", "token", ("{\"n\":" + i + "}").getBytes());
                assertThat(answer.status()).isEqualTo(202);
                assertThat(answer.text()).isEqualTo("{\"n\":" + i + "}");
            }
        }
    }

    @Test
    void readsChunkedAnswers() throws Exception {
        try (MiniHttp http = new MiniHttp(base())) {
            for (int i = 0; i < 3; i++) {
                MiniHttp.Response answer = http.post("/chunked", null, "{}".getBytes());
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.text()).startsWith("part0;part1;").endsWith("part99;");
            }
        }
    }

    @Test
    void reads204AnswersWithoutWaitingForABodyAndKeepsTheConnection() throws Exception {
        try (MiniHttp http = new MiniHttp(base())) {
            for (int i = 0; i < 20; i++) {
                MiniHttp.Response answer =
                        http.exchange("POST", "/empty", null, "{}".getBytes(), "Courier-Signature: sha256=00");
                assertThat(answer.status()).isEqualTo(204);
                assertThat(answer.body()).isEmpty();
            }
        }
        assertThat(connections).hasValue(20);
    }

    @Test
    void reconnectsWhenTheServerClosesTheConnection() throws Exception {
        try (MiniHttp http = new MiniHttp(base())) {
            for (int i = 0; i < 5; i++) {
                assertThat(http.post("/close", null, "{}".getBytes()).text()).isEqualTo("ok");
            }
        }
        assertThat(connections).hasValue(5);
    }
}
