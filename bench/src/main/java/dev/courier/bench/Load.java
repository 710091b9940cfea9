package dev.courier.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.courier.common.MessageId;

/**
 * Senders: closed loops over REST (each connection sends as soon as its previous send was answered), an open loop at a
 * fixed rate (latency counted from the moment a send was due, so a stalled server is not hidden by a stalled client),
 * and the gateway WebSocket with several sends in flight per socket.
 */
final class Load {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final AtomicLong IDS = new AtomicLong();

    /** A user sending to one address; each message makes {@code rows} inbox rows. */
    record Sender(String user, String to, int rows) {}

    private final URI gateway;

    private final Population population;

    private final String text;

    private final String run;

    Load(URI gateway, Population population, int textBytes, String run) {
        this.gateway = gateway;
        this.population = population;
        this.text = "x".repeat(textBytes);
        this.run = run;
    }

    /** A send's body, with a fresh clientMsgId. */
    private record Body(String clientMsgId, String messageId, byte[] json) {}

    private Body body(Sender sender) {
        String clientMsgId = run + "-" + IDS.incrementAndGet();
        String json = "{\"clientMsgId\":\"" + clientMsgId + "\",\"to\":\"" + sender.to()
                + "\",\"kind\":\"text\",\"content\":\"" + text + "\"}";
        return new Body(
                clientMsgId, MessageId.forSend(sender.user(), clientMsgId), json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Closed loop over REST for {@code seconds}, or until {@code limit} sends were made ({@code limit <= 0}: no
     * limit). The sends go to the senders in list order, round and round, whichever connection is free takes the
     * next: with a limit of the list's size each sender sends exactly once.
     */
    void closedLoop(Run measured, List<Sender> senders, int connections, double seconds, long limit) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long total = limit > 0 ? limit : Long.MAX_VALUE;
        AtomicLong next = new AtomicLong();
        runConnections(connections, c -> {
            try (MiniHttp http = new MiniHttp(gateway)) {
                for (long n = next.getAndIncrement();
                        n < total && System.nanoTime() < deadline;
                        n = next.getAndIncrement()) {
                    send(measured, http, senders.get((int) (n % senders.size())), -1);
                }
            }
        });
    }

    /** An open loop: {@code rate} sends per second in all, spread evenly over the connections. */
    void openLoop(Run measured, List<Sender> senders, int connections, double rate, double seconds) {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long total = (long) (rate * seconds);
        long startMicros = Run.nowMicros() + 100_000;
        runConnections(connections, c -> {
            try (MiniHttp http = new MiniHttp(gateway)) {
                for (long n = c; n < total; n += connections) {
                    long due = start + (long) (n * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    Sender sender = senders.get((int) (n % senders.size()));
                    send(measured, http, sender, startMicros + (long) (n * 1e6 / rate));
                }
            }
        });
    }

    private void send(Run measured, MiniHttp http, Sender sender, long dueMicros) {
        Body body = body(sender);
        long sent = measured.sending(body.messageId(), sender.rows(), dueMicros);
        try {
            MiniHttp.Response answer = http.post("/v1/messages", population.token(sender.user()), body.json());
            if (answer.status() == 202) {
                measured.accepted(sent);
            } else {
                measured.failed(body.messageId());
                measured.note("HTTP " + answer.status() + " " + answer.text());
            }
        } catch (IOException e) {
            measured.failed(body.messageId());
            measured.note(e.toString());
        }
    }

    private interface Connection {
        void run(int index) throws Exception;
    }

    private static void runConnections(int connections, Connection connection) {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int index = c;
            threads.add(Thread.ofVirtual().name("bench-connection-" + c).start(() -> {
                try {
                    connection.run(index);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The gateway WebSocket: one socket per sender (the first {@code sockets} senders), {@code window} sends in
     * flight on each, for {@code seconds}.
     */
    void webSocket(Run measured, List<Sender> senders, int sockets, int window, double seconds) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        runConnections(Math.min(sockets, senders.size()), s -> {
            Sender sender = senders.get(s);
            Semaphore inFlight = new Semaphore(window);
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, String> ids = new ConcurrentHashMap<>();
            StringBuilder partial = new StringBuilder();
            WebSocket socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + population.token(sender.user()))
                    .buildAsync(
                            URI.create("ws://" + gateway.getHost() + ":" + gateway.getPort() + "/v1/ws"),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                    partial.append(data);
                                    if (last) {
                                        JsonNode frame = JSON.readTree(partial.toString());
                                        partial.setLength(0);
                                        String clientMsgId =
                                                frame.path("clientMsgId").asString();
                                        Long sent = sentAt.remove(clientMsgId);
                                        if (sent != null) {
                                            if ("ack".equals(frame.path("type").asString())) {
                                                measured.accepted(sent);
                                            } else {
                                                measured.failed(ids.get(clientMsgId));
                                                measured.note("frame " + frame);
                                            }
                                            ids.remove(clientMsgId);
                                            inFlight.release();
                                        }
                                    }
                                    ws.request(1);
                                    return null;
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
            while (System.nanoTime() < deadline) {
                if (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue;
                }
                Body body = body(sender);
                ids.put(body.clientMsgId(), body.messageId());
                sentAt.put(body.clientMsgId(), measured.sending(body.messageId(), sender.rows(), -1));
                String frame = "{\"type\":\"send\"," + new String(body.json(), StandardCharsets.UTF_8).substring(1);
                socket.sendText(frame, true).get(10, TimeUnit.SECONDS);
            }
            // the last answers
            inFlight.tryAcquire(window, 30, TimeUnit.SECONDS);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        });
    }
}
