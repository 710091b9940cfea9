package dev.courier.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Online users: each holds a sync WebSocket ({@code /v1/stream}) as a client app does, syncs when a hint arrives (one
 * sync in flight per user, more hints meanwhile make one more sync) and reports, for every message of the current
 * {@link Run} it receives, send → hint received (the first hint whose seq covers the message) and send → visible.
 */
final class Streams implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final List<Client> clients = new ArrayList<>();

    private volatile Run run = new Run("setup");

    void attach(Run run) {
        this.run = run;
    }

    /** Connects these users and waits until each has its first sync key. */
    void connect(URI sync, Population population, List<String> users) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (String user : users) {
            Client client = new Client();
            clients.add(client);
            ready.add(client.ready);
            http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + population.token(user))
                    .buildAsync(URI.create("ws://" + sync.getHost() + ":" + sync.getPort() + "/v1/stream"), client)
                    .whenComplete((socket, failure) -> {
                        if (failure != null) {
                            client.ready.completeExceptionally(failure);
                        }
                    });
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new))
                .orTimeout(60, TimeUnit.SECONDS)
                .join();
    }

    private final class Client implements WebSocket.Listener {

        final CompletableFuture<Void> ready = new CompletableFuture<>();

        private final StringBuilder partial = new StringBuilder();

        private final ArrayDeque<long[]> hints = new ArrayDeque<>(); // {seq, micros}

        private WebSocket socket;

        private String key;

        private boolean syncing;

        private boolean again;

        @Override
        public void onOpen(WebSocket webSocket) {
            this.socket = webSocket;
            synchronized (this) {
                syncing = true;
                webSocket.sendText("{\"type\":\"sync\",\"limit\":1}", true);
            }
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                handle(JSON.readTree(text));
            }
            webSocket.request(1);
            return null;
        }

        private synchronized void handle(JsonNode frame) {
            long now = Run.nowMicros();
            switch (frame.path("type").asString()) {
                case "hint" -> {
                    if (frame.has("seq")) {
                        hints.addLast(new long[] {frame.path("seq").asLong(), now});
                        if (syncing) {
                            again = true;
                        } else {
                            sync();
                        }
                    }
                }
                case "delta" -> {
                    long lastSeq = 0;
                    for (JsonNode message : frame.path("messages")) {
                        long seq = message.path("seq").asLong();
                        lastSeq = seq;
                        Run current = run.of(message.path("messageId").asString());
                        long sent = current.sentAt(message.path("messageId").asString());
                        if (sent < 0) {
                            continue;
                        }
                        current.record(Run.VISIBLE, now - sent);
                        for (long[] hint : hints) {
                            if (hint[0] >= seq) {
                                current.record(Run.HINT, hint[1] - sent);
                                break;
                            }
                        }
                    }
                    while (!hints.isEmpty() && hints.peekFirst()[0] <= lastSeq) {
                        hints.removeFirst();
                    }
                    key = frame.path("syncKey").asString();
                    syncing = false;
                    ready.complete(null);
                    if (frame.path("hasMore").asBoolean() || again) {
                        again = false;
                        sync();
                    }
                }
                default -> {
                    // pong, error frames: nothing to measure
                }
            }
        }

        private void sync() {
            syncing = true;
            socket.sendText("{\"type\":\"sync\",\"syncKey\":\"" + key + "\",\"limit\":500}", true);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ready.completeExceptionally(new IllegalStateException("stream closed " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ready.completeExceptionally(error);
        }
    }

    @Override
    public void close() {
        for (Client client : clients) {
            if (client.socket != null) {
                client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            }
        }
    }
}
