package dev.courier.testinfra.fuzz;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.DynamicTest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;
import dev.courier.testinfra.client.RawWebSocket;
import dev.courier.testinfra.client.Socket;

import static dev.courier.testinfra.fuzz.Hostile.abbreviate;
import static dev.courier.testinfra.fuzz.Hostile.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs fuzz cases and judges their answers: each case is answered with a 4xx problem+json (on a socket: an
 * {@code error} frame, the socket staying usable, or a close frame with a fitting code), never a 5xx and never a
 * connection dropped without a close frame. Structurally invalid input ({@link Expect#REJECT}) must be refused;
 * hostile but valid input ({@link Expect#EITHER}) may be accepted, and then the case's own check says that it did
 * exactly what it says. One instance per test class: it keeps the sockets its frame cases share and tallies the
 * outcomes per endpoint, logged by {@link #close()}.
 */
public final class Fuzz implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Fuzz.class);

    /** The codes of PROTOCOL.md ("Errors"); {@code internal} is for bugs only. */
    public static final Set<String> CODES = Set.of(
            "invalid_request",
            "unauthenticated",
            "forbidden",
            "not_found",
            "conflict",
            "not_member",
            "blocked",
            "payload_too_large",
            "invalid_sync_key",
            "rate_limited",
            "unavailable");

    /** Close codes that refuse bad input properly: protocol error, unacceptable data, invalid payload, policy, too big. */
    public static final Set<Integer> FINE_CLOSE_CODES = Set.of(1002, 1003, 1007, 1008, 1009);

    /** How long an answer may take. */
    public static final Duration ANSWER = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String name;

    private final Tally tally = new Tally();

    private final Map<String, Conn> sockets = new LinkedHashMap<>();

    private final long startedAt = System.nanoTime();

    /** @param name what is fuzzed, for the summary */
    public Fuzz(String name) {
        this.name = name;
    }

    /** What a case may be answered with. */
    public enum Expect {
        /** structurally invalid: must be refused with a 4xx */
        REJECT,
        /** hostile but valid: may be accepted (and then must have done exactly what it says) or refused with a 4xx */
        EITHER
    }

    // ---------------------------------------------------------------- HTTP

    /** A request; {@code authorization} is the whole header value, {@code headers} more names and values. */
    public record Req(
            String method,
            String url,
            String authorization,
            byte[] body,
            String contentType,
            boolean chunked,
            List<String> headers) {

        /** A request with a JSON body ({@code null}: none) and the bearer token ({@code null}: none). */
        public static Req json(String method, String url, String token, String body) {
            return new Req(
                    method,
                    url,
                    token == null ? null : bearer(token),
                    body == null ? null : utf8(body),
                    body == null ? null : "application/json",
                    false,
                    List.of());
        }

        /** A request without a body, a token or a content type. */
        public static Req plain(String method, String url) {
            return new Req(method, url, null, null, null, false, List.of());
        }

        /** This request with more headers. */
        public Req withHeaders(String... namesAndValues) {
            return new Req(method, url, authorization, body, contentType, chunked, List.of(namesAndValues));
        }
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A request and what it may be answered with; {@code status} 0: any; {@code verify} checks an acceptance. */
    public record HttpCase(
            String endpoint, String label, Expect expect, int status, Supplier<Req> request, Consumer<Answer> verify) {}

    /** An HTTP answer, or the failure of the connection. */
    public record Answer(int status, HttpHeaders headers, byte[] body, JsonNode json, String failure) {

        public String contentType() {
            return headers == null ? "" : headers.firstValue("Content-Type").orElse("");
        }

        public String code() {
            return json == null ? null : json.path("code").asString(null);
        }

        String outcome() {
            if (failure != null) {
                return "connection failed";
            }
            return status
                    + (status >= 400
                            ? " "
                                    + (code() != null
                                            ? code()
                                            : contentType().isEmpty()
                                                    ? "no body"
                                                    : contentType().split(";")[0])
                            : "");
        }

        public String describe() {
            if (failure != null) {
                return "connection failed: " + failure;
            }
            return status + " " + contentType() + " " + abbreviate(new String(body, StandardCharsets.UTF_8), 300);
        }
    }

    public DynamicTest test(HttpCase c) {
        return DynamicTest.dynamicTest(c.endpoint() + " | " + c.label(), () -> run(c));
    }

    public void run(HttpCase c) {
        Answer answer = exchange(c.request().get());
        tally.record(c.endpoint(), answer.outcome());
        String context = c.endpoint() + " | " + c.label() + " -> " + answer.describe();
        checked(context, () -> {
            assertThat(answer.failure()).as("the connection broke: %s", context).isNull();
            assertThat(answer.status()).as("never a 5xx: %s", context).isLessThan(500);
            if (answer.status() >= 300) {
                assertProblem(answer.status(), answer.contentType(), answer.json(), context);
            }
            if (c.expect() == Expect.REJECT) {
                assertThat(answer.status())
                        .as("structurally invalid, so refused: %s", context)
                        .isBetween(400, 499);
            }
            if (c.status() != 0) {
                assertThat(answer.status()).as(context).isEqualTo(c.status());
            }
            if (answer.status() < 300 && c.verify() != null) {
                c.verify().accept(answer);
            }
        });
    }

    private static void assertProblem(int status, String contentType, JsonNode json, String context) {
        assertThat(status).as("an error is a 4xx: %s", context).isBetween(400, 499);
        assertThat(contentType).as("an error is problem+json: %s", context).startsWith("application/problem+json");
        assertThat(json).as("a JSON body: %s", context).isNotNull();
        String code = json.path("code").asString("");
        assertThat(code).as("a code of the protocol: %s", context).isIn(CODES);
        assertThat(json.path("status").asInt()).as(context).isEqualTo(status);
        assertThat(json.path("type").asString("")).as(context).endsWith("/" + code);
        assertThat(json.path("title").asString("")).as(context).isNotBlank();
        assertThat(json.path("detail").isString()).as("a detail: %s", context).isTrue();
    }

    /** Runs checks, noting a failure for the summary before it fails the case. */
    private void checked(String context, Runnable checks) {
        try {
            checks.run();
        } catch (AssertionError | RuntimeException e) {
            tally.failed(abbreviate(context, 400) + "\n      "
                    + abbreviate(
                            String.valueOf(e.getMessage())
                                    .lines()
                                    .filter(line -> !line.isBlank())
                                    .findFirst()
                                    .orElse(""),
                            300));
            throw e;
        }
    }

    /** Sends the request and reads the whole answer; a broken connection is an answer too. */
    public static Answer exchange(Req req) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(req.url())).timeout(Duration.ofSeconds(20));
        if (req.authorization() != null) {
            builder.header("Authorization", req.authorization());
        }
        if (req.contentType() != null) {
            builder.header("Content-Type", req.contentType());
        }
        for (int i = 0; i < req.headers().size(); i += 2) {
            builder.header(req.headers().get(i), req.headers().get(i + 1));
        }
        HttpRequest.BodyPublisher body = req.body() == null
                ? HttpRequest.BodyPublishers.noBody()
                : req.chunked()
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(req.body()))
                        : HttpRequest.BodyPublishers.ofByteArray(req.body());
        builder.method(req.method(), body);
        try {
            HttpResponse<byte[]> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers(), response.body(), parse(response.body()), null);
        } catch (IOException e) {
            return new Answer(0, null, new byte[0], null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    /** A request written byte for byte on a socket. */
    public record RawHttpCase(
            String endpoint,
            String label,
            Expect expect,
            int port,
            String requestLine,
            List<String> headers,
            String body) {}

    public DynamicTest test(RawHttpCase c) {
        return DynamicTest.dynamicTest(c.endpoint() + " | " + c.label(), () -> run(c));
    }

    public void run(RawHttpCase c) {
        String head = c.requestLine() + "\r\nHost: 127.0.0.1:" + c.port() + "\r\n" + String.join("\r\n", c.headers())
                + (c.headers().isEmpty() ? "" : "\r\n") + "Connection: close";
        RawWebSocket.Answer answer;
        String outcome;
        try {
            answer = RawWebSocket.request(c.port(), head, utf8(c.body()), ANSWER).handshake;
            outcome = answer.status() + (answer.status() >= 400 ? " " + problemCode(answer) : "");
        } catch (UncheckedIOException e) {
            answer = null;
            outcome = "connection failed";
        }
        tally.record(c.endpoint(), outcome);
        RawWebSocket.Answer got = answer;
        String context = c.endpoint() + " | " + c.label() + " -> "
                + (got == null
                        ? "no answer"
                        : got.status() + " " + got.header("Content-Type") + " "
                                + abbreviate(new String(got.body(), StandardCharsets.UTF_8), 300));
        checked(context, () -> {
            assertThat(got).as("an answer: %s", context).isNotNull();
            assertThat(got.status()).as("never a 5xx: %s", context).isLessThan(500);
            if (got.status() >= 300) {
                assertProblem(got.status(), String.valueOf(got.header("Content-Type")), parse(got.body()), context);
            }
            if (c.expect() == Expect.REJECT) {
                assertThat(got.status()).as("refused: %s", context).isBetween(400, 499);
            }
        });
    }

    private static String problemCode(RawWebSocket.Answer answer) {
        JsonNode json = parse(answer.body());
        String type = answer.header("Content-Type");
        return json != null && json.has("code")
                ? json.path("code").asString()
                : answer.body().length == 0 ? "no body" : type == null ? "text without a type" : type.split(";")[0];
    }

    // ---------------------------------------------------------------- WebSockets

    /**
     * A WebSocket endpoint of a service.
     *
     * @param endpoint its name in reports, {@code WS /v1/ws}
     * @param baseUrl the service's HTTP base URL, {@code http://127.0.0.1:port}
     */
    public record SocketTarget(String endpoint, String path, String baseUrl) {

        public String url() {
            return baseUrl.replace("http://", "ws://") + path;
        }

        public int port() {
            return URI.create(baseUrl).getPort();
        }
    }

    /**
     * A text frame, sent as {@code token}'s device on the socket kept for its {@code kind} of input; {@code verify}
     * checks an accepting answer.
     */
    public record FrameCase(
            SocketTarget target,
            String kind,
            String label,
            Expect expect,
            String text,
            String token,
            Consumer<JsonNode> verify) {}

    public DynamicTest test(FrameCase c) {
        return DynamicTest.dynamicTest(c.target().endpoint() + " | " + c.label(), () -> run(c));
    }

    public void run(FrameCase c) {
        String key = c.target().endpoint() + "/" + c.kind() + "/" + c.token();
        Conn conn = sockets.get(key);
        if (conn == null || conn.socket.isClosed()) {
            conn = new Conn(Socket.connect(c.target().url(), c.token()));
            sockets.put(key, conn);
        }
        conn.send(c.text());
        JsonNode reply = conn.reply(ANSWER);
        Socket.Closed closed = reply == null && conn.socket.isClosed() ? conn.socket.awaitClosed(ANSWER) : null;
        String outcome = reply != null ? frameOutcome(reply) : closed != null ? "close " + closed.code() : "no answer";
        tally.record(c.target().endpoint(), outcome);
        Conn used = conn;
        String context = c.target().endpoint() + " | " + c.kind() + " | " + c.label() + " -> "
                + (reply != null
                        ? abbreviate(reply.toString(), 300)
                        : closed != null ? closed : "no answer in " + ANSWER);
        checked(context, () -> {
            assertThat(reply != null || closed != null)
                    .as("an answer: %s", context)
                    .isTrue();
            if (closed != null) {
                assertThat(closed.code())
                        .as("a close frame with a fitting code (1006: dropped without one): %s", context)
                        .isIn(FINE_CLOSE_CODES);
                return;
            }
            String type = reply.path("type").asString("");
            if (type.equals("error")) {
                assertThat(reply.path("status").asInt())
                        .as("an error frame is a 4xx: %s", context)
                        .isBetween(400, 499);
                assertThat(reply.path("code").asString(""))
                        .as("a code of the protocol: %s", context)
                        .isIn(CODES);
                assertThat(reply.path("detail").isString())
                        .as("a detail: %s", context)
                        .isTrue();
            } else {
                assertThat(c.expect())
                        .as("structurally invalid, so refused: %s", context)
                        .isEqualTo(Expect.EITHER);
                assertThat(type).as(context).isIn("pong", "ack", "delta");
                if (c.verify() != null && !type.equals("pong")) {
                    c.verify().accept(reply);
                }
            }
            assertUsable(used, context);
        });
    }

    private static String frameOutcome(JsonNode reply) {
        String type = reply.path("type").asString("");
        return type.equals("error")
                ? "error " + reply.path("status").asInt() + " "
                        + reply.path("code").asString("")
                : type;
    }

    /** The socket still answers a ping with a pong (or was closed properly). */
    private static void assertUsable(Conn conn, String context) {
        conn.send("{\"type\":\"ping\"}");
        JsonNode pong = conn.reply(ANSWER);
        if (pong == null && conn.socket.isClosed()) {
            Socket.Closed closed = conn.socket.awaitClosed(ANSWER);
            assertThat(closed.code())
                    .as("closed after answering, with a fitting code: %s", context)
                    .isIn(FINE_CLOSE_CODES);
            return;
        }
        assertThat(pong).as("the socket stays usable: %s", context).isNotNull();
        assertThat(pong.path("type").asString(""))
                .as("ping answered with pong: %s", context)
                .isEqualTo("pong");
    }

    /** A socket kept for one class of input. */
    private static final class Conn {

        final Socket socket;

        final Deque<JsonNode> pending = new ArrayDeque<>();

        Conn(Socket socket) {
            this.socket = socket;
        }

        /** Sends a text frame and waits until it is written; a socket the server closed is noticed by the caller. */
        void send(String text) {
            try {
                socket.sendAsync(text).get(ANSWER.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // the server closed the socket while the frame was written: the answer tells how
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** The next frame other than a hint, or null when the socket closed first or nothing came in time. */
        JsonNode reply(Duration timeout) {
            try {
                await().atMost(timeout)
                        .pollInSameThread()
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(2))
                        .until(() -> {
                            socket.drain().stream()
                                    .filter(frame ->
                                            !frame.path("type").asString("").equals("hint"))
                                    .forEach(pending::add);
                            return !pending.isEmpty() || socket.isClosed();
                        });
            } catch (ConditionTimeoutException e) {
                return null;
            }
            return pending.poll();
        }

        void close() {
            socket.close();
        }
    }

    /** Frames only a raw client sends: each on a connection of its own, as {@code token}'s device. */
    public record RawFrameCase(SocketTarget target, String token, String label, RawSend send) {}

    /** Writes whatever it likes on a raw socket. */
    @FunctionalInterface
    public interface RawSend {
        void send(RawWebSocket socket) throws IOException;
    }

    public DynamicTest test(RawFrameCase c) {
        return DynamicTest.dynamicTest(c.target().endpoint() + " | " + c.label(), () -> run(c));
    }

    public void run(RawFrameCase c) throws IOException {
        String outcome;
        String context;
        RawWebSocket.Frame answer;
        boolean usable = false;
        try (RawWebSocket socket =
                RawWebSocket.open(c.target().port(), c.target().path(), c.token(), ANSWER)) {
            c.send().send(socket);
            try {
                answer = socket.next();
            } catch (java.net.SocketTimeoutException e) {
                answer = new RawWebSocket.Frame(-1, new byte[0]);
            }
            if (answer != null && answer.opcode() == RawWebSocket.TEXT) {
                socket.sendFrame(0x80 | RawWebSocket.TEXT, utf8("{\"type\":\"ping\"}"));
                try {
                    RawWebSocket.Frame pong = socket.next();
                    usable = pong != null
                            && pong.opcode() == RawWebSocket.TEXT
                            && pong.text().contains("pong");
                } catch (java.net.SocketTimeoutException e) {
                    usable = false;
                }
            }
        }
        RawWebSocket.Frame got = answer;
        if (got == null) {
            outcome = "dropped without a close frame";
        } else if (got.opcode() == -1) {
            outcome = "no answer";
        } else if (got.opcode() == RawWebSocket.CLOSE) {
            outcome = "close " + got.closeCode();
        } else {
            JsonNode json = parse(got.payload());
            outcome = json == null ? "non-JSON frame" : frameOutcome(json);
        }
        tally.record(c.target().endpoint(), outcome);
        context = c.target().endpoint() + " | " + c.label() + " -> " + outcome
                + (got != null && got.opcode() == RawWebSocket.CLOSE
                        ? " '"
                                + new String(
                                        got.payload(), 2, Math.max(0, got.payload().length - 2), StandardCharsets.UTF_8)
                                + "'"
                        : got != null && got.opcode() == RawWebSocket.TEXT ? " " + abbreviate(got.text(), 200) : "");
        boolean stillUsable = usable;
        checked(context, () -> {
            assertThat(got)
                    .as("a close frame, never a dropped connection: %s", context)
                    .isNotNull();
            assertThat(got.opcode()).as("an answer: %s", context).isNotEqualTo(-1);
            if (got.opcode() == RawWebSocket.CLOSE) {
                assertThat(got.closeCode())
                        .as("a fitting close code: %s", context)
                        .isIn(FINE_CLOSE_CODES);
            } else {
                JsonNode json = parse(got.payload());
                assertThat(json).as("a JSON frame: %s", context).isNotNull();
                String type = json.path("type").asString("");
                if (type.equals("error")) {
                    assertThat(json.path("status").asInt()).as(context).isBetween(400, 499);
                    assertThat(json.path("code").asString("")).as(context).isIn(CODES);
                } else {
                    assertThat(c.label())
                            .as("only a valid frame may be answered normally: %s", context)
                            .contains("(valid)");
                    assertThat(type).as(context).isEqualTo("pong");
                }
                assertThat(stillUsable)
                        .as("the socket stays usable: %s", context)
                        .isTrue();
            }
        });
    }

    /** A handshake request written byte for byte. */
    public record HandshakeCase(SocketTarget target, String label, Expect expect, String head) {}

    public DynamicTest test(HandshakeCase c) {
        return DynamicTest.dynamicTest(c.target().endpoint() + " | handshake " + c.label(), () -> run(c));
    }

    public void run(HandshakeCase c) {
        RawWebSocket socket;
        String outcome;
        try {
            socket = RawWebSocket.request(c.target().port(), c.head(), ANSWER);
            outcome = socket.handshake.status()
                    + (socket.handshake.status() >= 400 ? " " + problemCode(socket.handshake) : "");
        } catch (UncheckedIOException e) {
            socket = null;
            outcome = "connection failed: " + e.getCause();
        }
        tally.record(
                c.target().endpoint() + " handshake",
                outcome.startsWith("connection failed") ? "connection failed" : outcome);
        RawWebSocket got = socket;
        String context = c.target().endpoint() + " | handshake " + c.label() + " -> "
                + (got == null
                        ? outcome
                        : got.handshake.status() + " " + got.handshake.header("Content-Type") + " "
                                + abbreviate(new String(got.handshake.body(), StandardCharsets.UTF_8), 300));
        try {
            checked(context, () -> {
                assertThat(got).as("an answer: %s", context).isNotNull();
                int status = got.handshake.status();
                assertThat(status).as("never a 5xx: %s", context).isLessThan(500);
                if (status == 101) {
                    assertThat(c.expect()).as("refused: %s", context).isEqualTo(Expect.EITHER);
                    return;
                }
                assertProblem(
                        status,
                        String.valueOf(got.handshake.header("Content-Type")),
                        parse(got.handshake.body()),
                        context);
            });
        } finally {
            if (got != null) {
                got.close();
            }
        }
    }

    // ---------------------------------------------------------------- the summary

    /** Closes the sockets kept for frame cases and logs the outcomes per endpoint, and the failures. */
    @Override
    public void close() {
        sockets.values().forEach(Conn::close);
        sockets.clear();
        tally.log(name, Duration.ofNanos(System.nanoTime() - startedAt));
    }

    /** Outcomes per endpoint, and the failures, for the log. */
    private static final class Tally {

        private final Map<String, Map<String, Integer>> outcomes = new TreeMap<>();

        private final List<String> failures = new ArrayList<>();

        synchronized void record(String endpoint, String outcome) {
            outcomes.computeIfAbsent(endpoint, e -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
        }

        synchronized void failed(String what) {
            failures.add(what);
        }

        synchronized void log(String name, Duration elapsed) {
            Map<String, Integer> overall = new TreeMap<>();
            StringBuilder text = new StringBuilder();
            int total = 0;
            for (Map.Entry<String, Map<String, Integer>> endpoint : outcomes.entrySet()) {
                int count = endpoint.getValue().values().stream()
                        .mapToInt(Integer::intValue)
                        .sum();
                total += count;
                text.append(String.format("%n  %-52s %5d  %s", endpoint.getKey(), count, endpoint.getValue()));
                endpoint.getValue().forEach((outcome, n) -> overall.merge(outcome, n, Integer::sum));
            }
            log.info(
                    "Fuzz summary of {}: {} cases in {} s; outcomes overall: {}; per endpoint:{}",
                    name,
                    total,
                    elapsed.toMillis() / 1000.0,
                    overall,
                    text);
            if (!failures.isEmpty()) {
                log.warn(
                        "Fuzz failures of {} ({}):{}",
                        name,
                        failures.size(),
                        failures.stream().map(f -> "\n  - " + f).reduce("", String::concat));
            }
        }
    }
}
