package dev.courier.bench;

import java.io.IOException;
import java.io.InputStream;

/** A child process ends when its parent (the benchmark) closes its standard input, e.g. by ending. */
final class ParentWatch {

    private ParentWatch() {}

    /** Exits this JVM (running its shutdown hooks) once standard input is closed. */
    static void exitWhenStdinCloses() {
        Thread watcher = new Thread(
                () -> {
                    try (InputStream in = System.in) {
                        byte[] buffer = new byte[256];
                        while (in.read(buffer) >= 0) {
                            // nothing is sent: only the end of the stream matters
                        }
                    } catch (IOException e) {
                        // the parent is gone either way
                    }
                    System.exit(0);
                },
                "bench-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
