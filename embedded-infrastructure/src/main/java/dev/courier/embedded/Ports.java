package dev.courier.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/** TCP port helpers for the embedded servers. */
public final class Ports {

    /** Ports recently handed out by this JVM, so that two quick calls never return the same port. */
    private static final int REMEMBERED = 512;

    private static final Deque<Integer> RECENT_ORDER = new ArrayDeque<>();
    private static final Set<Integer> RECENT = new HashSet<>();

    private Ports() {}

    /**
     * Returns a TCP port on the loopback interface that is free right now and that this JVM has not
     * handed out recently. Another process may still take it before the caller binds it; the embedded
     * servers retry with another port when that happens and they were asked for port 0.
     */
    public static int freePort() {
        IOException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                port = socket.getLocalPort();
            } catch (IOException e) {
                last = e;
                continue;
            }
            if (remember(port)) {
                return port;
            }
        }
        throw new UncheckedIOException(
                "Could not find a free TCP port on the loopback interface",
                last != null ? last : new IOException("every candidate port was handed out recently"));
    }

    private static synchronized boolean remember(int port) {
        if (!RECENT.add(port)) {
            return false;
        }
        RECENT_ORDER.addLast(port);
        if (RECENT_ORDER.size() > REMEMBERED) {
            RECENT.remove(RECENT_ORDER.removeFirst());
        }
        return true;
    }

    /** Validates a port argument of the {@code start} methods: 0 (pick one) or 1..65535. */
    static void checkPortArgument(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (pick a free one) or 1..65535, was " + port);
        }
    }
}
