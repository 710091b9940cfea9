package dev.courier.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Receives the fanout-workers' {@link CommitProbe} reports and hands them to the current {@link Run}. */
final class Probe implements AutoCloseable {

    private final ServerSocket server;

    private volatile Run run = new Run("setup");

    Probe() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("bench-probe-accept").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    void attach(Run run) {
        this.run = run;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofPlatform().daemon().name("bench-probe-read").start(() -> read(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket socket) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] batch = line.split(" ");
                long micros = Long.parseLong(batch[1]);
                int messages = Integer.parseInt(batch[2]);
                Run current = run;
                for (int i = 0; i < messages; i++) {
                    String entry = in.readLine();
                    int space = entry.indexOf(' ');
                    current.committed(entry.substring(0, space), Integer.parseInt(entry.substring(space + 1)), micros);
                }
            }
        } catch (IOException e) {
            // the worker went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
