package dev.courier.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The idle timeout of {@link AuthenticatedSocketHandler} while frames of many sessions arrive on the server's socket
 * threads and the keep-alive runs on another. (A data race is not caught deterministically by any test; this one checks
 * that what the socket threads record is what the keep-alive sees, under concurrency.)
 */
class AuthenticatedSocketHandlerIntegrationTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A client socket that records how it closed. */
    private record Client(String deviceId, WebSocket socket, CompletableFuture<String> closed) {}

    @Test
    void sessionsSendingFramesFromManyThreadsOutliveTheIdleTimeoutAndAreClosedOnceSilent() throws Exception {
        TestWeb.context();
        String userId = TestWeb.uniqueId("u");
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(open(userId, "device-" + i));
        }
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        for (Client client : clients) {
            senders.add(Thread.ofPlatform().start(() -> {
                while (sending.get()) {
                    client.socket().sendText("{\"type\":\"frame\"}", true).join();
                }
            }));
        }
        TestWebApplication.CountingSocketHandler handler = TestWeb.sockets();
        // ten idle timeouts pass on the handler's clock; every session is heard within each half of one
        for (int round = 0; round < 20; round++) {
            TestWeb.clock().advance(TestWeb.IDLE_TIMEOUT.dividedBy(2));
            for (Client client : clients) {
                // two more frames: the second was read after the clock moved (the first may have been read before)
                long seen = frames(handler, client);
                await().atMost(Duration.ofSeconds(10)).until(() -> frames(handler, client) >= seen + 2);
            }
            handler.keepAlive();
            for (Client client : clients) {
                assertThat(client.closed())
                        .as("%s in round %d", client.deviceId(), round)
                        .isNotDone();
            }
        }

        sending.set(false);
        for (Thread sender : senders) {
            sender.join();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            // pongs to the last pings may still come in: each round moves past the idle timeout again
            TestWeb.clock().advance(TestWeb.IDLE_TIMEOUT.plusSeconds(1));
            handler.keepAlive();
            for (Client client : clients) {
                assertThat(client.closed()).isCompletedWithValue("1000 idle timeout");
            }
        });
    }

    private static long frames(TestWebApplication.CountingSocketHandler handler, Client client) {
        AtomicLong count = handler.frames.get(client.deviceId());
        return count == null ? 0 : count.get();
    }

    private static Client open(String userId, String deviceId) {
        String token = TestWeb.signedIn(userId, deviceId);
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket socket = HTTP.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + TestWeb.port() + "/v1/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode + " " + reason);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.complete("error " + error);
                    }
                })
                .join();
        return new Client(deviceId, socket, closed);
    }
}
