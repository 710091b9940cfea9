package dev.courier.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import dev.courier.common.AccessTokens;
import dev.courier.common.ErrorCode;
import dev.courier.common.Json;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link TestWebApplication} of this JVM, started once on the shared database, which it reaches through a
 * {@link TcpProxy} that a test can cut. WebSocket heartbeats are off (a test calls {@code keepAlive()} itself).
 */
final class TestWeb {

    static final java.time.Duration DEVICE_CHECK_CACHE = java.time.Duration.ofSeconds(10);

    static final java.time.Duration IDLE_TIMEOUT = java.time.Duration.ofSeconds(60);

    private static ConfigurableApplicationContext context;

    private static TcpProxy database;

    private static JdbcClient direct;

    private TestWeb() {}

    static synchronized ConfigurableApplicationContext context() {
        if (context == null) {
            Infrastructure shared = CourierInfrastructure.shared();
            URI db = URI.create(shared.jdbcUrl().substring("jdbc:".length()));
            database = TcpProxy.to(db.getHost(), db.getPort());
            direct = JdbcClient.create(
                    new DriverManagerDataSource(shared.jdbcUrl(), shared.dbUser(), shared.dbPassword()));
            String proxied = shared.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + database.port() + "/");
            context = new SpringApplicationBuilder(TestWebApplication.class)
                    .registerShutdownHook(false)
                    .logStartupInfo(false)
                    .run(
                            "--server.port=0",
                            "--spring.main.banner-mode=off",
                            "--spring.datasource.url=" + proxied,
                            "--spring.datasource.username=" + shared.dbUser(),
                            "--spring.datasource.password=" + shared.dbPassword(),
                            "--spring.datasource.hikari.connection-timeout=1000",
                            "--spring.datasource.hikari.initialization-fail-timeout=-1",
                            "--courier.http.device-check-cache=" + DEVICE_CHECK_CACHE.toMillis() + "ms",
                            "--courier.websocket.heartbeat=1h",
                            "--courier.websocket.idle-timeout=" + IDLE_TIMEOUT.toMillis() + "ms");
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                context.close();
                                database.close();
                            },
                            "stop-test-web"));
        }
        return context;
    }

    static int port() {
        return ((WebServerApplicationContext) context()).getWebServer().getPort();
    }

    static TcpProxy database() {
        context();
        return database;
    }

    static MovableClock clock() {
        return context().getBean(MovableClock.class);
    }

    static TestWebApplication.CountingSocketHandler sockets() {
        return context().getBean(TestWebApplication.CountingSocketHandler.class);
    }

    /** A token of a device that is signed in: its row is in the database. */
    static String signedIn(String userId, String deviceId) {
        context();
        direct.sql("INSERT IGNORE INTO accounts (user_id, display_name, created_at) VALUES (:u, :u, 0)")
                .param("u", userId)
                .update();
        direct.sql("INSERT INTO devices (user_id, device_id, created_at, last_login_at) VALUES (:u, :d, 0, 0)")
                .param("u", userId)
                .param("d", deviceId)
                .update();
        return token(userId, deviceId);
    }

    /** A validly signed token, whether or not its device is signed in. */
    static String token(String userId, String deviceId) {
        return context().getBean(AccessTokens.class).issue(userId, deviceId).token();
    }

    static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    /** An HTTP answer: status, headers (names in lower case), body. */
    record Answer(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            return Json.MAPPER.readTree(body);
        }
    }

    /**
     * Asserts a problem+json answer of PROTOCOL.md: {@code {type, title, status, detail, code}} with the status and
     * code given, and a detail that starts as given (the field at fault first).
     */
    static void assertProblem(Answer answer, int status, ErrorCode code, String detailStart) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as(answer.body()).startsWith("application/problem+json");
        JsonNode body = answer.json();
        assertThat(body.path("code").asString()).as(answer.body()).isEqualTo(code.code());
        assertThat(body.path("status").asInt()).as(answer.body()).isEqualTo(status);
        assertThat(body.path("title").asString()).as(answer.body()).isEqualTo(code.title());
        assertThat(body.path("type").asString())
                .as(answer.body())
                .isEqualTo("https://courier.dev/problems/" + code.code());
        assertThat(body.path("detail").asString()).as(answer.body()).startsWith(detailStart);
    }

    /** {@code GET /v1/me} with the token. */
    static Answer me(String token) {
        return exchange(
                "GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\nConnection: close");
    }

    /** A WebSocket handshake to {@code /v1/ws} with the token; a {@code 101} is answered and the socket closed. */
    static Answer handshake(String token) {
        return handshakeTo("/v1/ws", "Authorization: Bearer " + token);
    }

    /** A WebSocket handshake to the target (path and query), with more header lines. */
    static Answer handshakeTo(String target, String... headers) {
        StringBuilder head = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket"
                + "\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"
                + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        for (String header : headers) {
            head.append("\r\n").append(header);
        }
        return exchange(head.toString());
    }

    /**
     * A request with a body of its declared length, and {@code Connection: close}.
     *
     * @param headers more header lines, {@code Name: value}
     */
    static Answer request(
            String method, String target, @Nullable String contentType, byte @Nullable [] body, String... headers) {
        StringBuilder head =
                new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1" + "\r\nConnection: close");
        if (contentType != null) {
            head.append("\r\nContent-Type: ").append(contentType);
        }
        if (body != null) {
            head.append("\r\nContent-Length: ").append(body.length);
        }
        for (String header : headers) {
            head.append("\r\n").append(header);
        }
        return exchange(head.toString(), body == null ? new byte[0] : body);
    }

    static Answer request(
            String method, String target, @Nullable String contentType, @Nullable String body, String... headers) {
        return request(
                method, target, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** A request whose body is sent chunked (no declared length), in chunks of at most 8 KB. */
    static Answer chunked(String method, String target, String contentType, byte[] body) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int offset = 0; offset < body.length; offset += 8192) {
            int length = Math.min(8192, body.length - offset);
            chunks.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunks.write(body, offset, length);
            chunks.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        chunks.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return exchange(
                method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close" + "\r\nContent-Type: "
                        + contentType + "\r\nTransfer-Encoding: chunked",
                chunks.toByteArray());
    }

    /** One request on a plain socket (the JDK's WebSocket client hides a refused handshake's body). */
    static Answer exchange(String head) {
        return exchange(head, new byte[0]);
    }

    /**
     * One request on a plain socket, exactly as given: the head (request line and headers, without the blank line
     * that ends it) and the bytes after it. The answer must come within 10 s.
     */
    static Answer exchange(String head, byte[] body) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
            InputStream in = socket.getInputStream();
            String[] lines = readHead(in).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : List.of(lines).subList(1, lines.length)) {
                int colon = line.indexOf(':');
                headers.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
            if (status == 101) {
                return new Answer(status, headers, "");
            }
            return new Answer(status, headers, new String(readBody(in, headers), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the answer's head");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1).trim();
    }

    private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
        if (headers.containsKey("content-length")) {
            return in.readNBytes(Integer.parseInt(headers.get("content-length")));
        }
        if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return in.readAllBytes();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            StringBuilder size = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    return body.toByteArray();
                }
                size.append((char) b);
            }
            int length = Integer.parseInt(size.toString().trim().split(";")[0], 16);
            if (length == 0) {
                return body.toByteArray();
            }
            body.writeBytes(in.readNBytes(length));
            in.readNBytes(2);
        }
    }
}
