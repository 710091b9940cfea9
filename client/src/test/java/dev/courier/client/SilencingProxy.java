package dev.courier.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a local port whose open connections can be silenced, as when a NAT or a radio link loses
 * them: nothing is closed and nothing gets through, bytes just vanish. New connections work again, like a fresh path.
 */
final class SilencingProxy implements AutoCloseable {

    private final ServerSocket server;

    private final int target;

    private final List<Pipe> pipes = new CopyOnWriteArrayList<>();

    private final AtomicInteger webSocketHandshakes = new AtomicInteger();

    private final AtomicInteger restSends = new AtomicInteger();

    SilencingProxy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** WebSocket upgrade requests seen so far. */
    int webSocketHandshakes() {
        return webSocketHandshakes.get();
    }

    /** {@code POST /v1/messages} requests (sends by REST) seen so far. */
    int restSends() {
        return restSends.get();
    }

    /** Every connection open now goes silent for good. */
    void silenceOpenConnections() {
        pipes.forEach(pipe -> pipe.silenced = true);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                Pipe pipe = new Pipe(client, upstream);
                pipes.add(pipe);
                Thread.ofVirtual().start(() -> pipe.pump(client, upstream, true));
                Thread.ofVirtual().start(() -> pipe.pump(upstream, client, false));
            } catch (IOException e) {
                // closed, or the target is down: the client sees its connection fail
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Pipe pipe : pipes) {
            pipe.client.close();
            pipe.upstream.close();
        }
    }

    private final class Pipe {

        final Socket client;

        final Socket upstream;

        volatile boolean silenced;

        Pipe(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to, boolean fromClient) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    // a request head, also on a kept-alive connection (client frames after an upgrade are masked)
                    String head = fromClient
                            ? new String(buffer, 0, read, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT)
                            : "";
                    if (head.contains("upgrade: websocket")) {
                        webSocketHandshakes.incrementAndGet();
                    }
                    if (head.startsWith("post /v1/messages ")) {
                        restSends.incrementAndGet();
                    }
                    if (!silenced) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
