package dev.courier.embedded;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.model.OsArchitecture;

/**
 * A real Redis server (the {@code redis-server} binary bundled with codemonstur embedded-redis) run as a
 * child process on 127.0.0.1, without persistence ({@code save ""}, {@code appendonly no}).
 */
public final class EmbeddedRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

    private static final int ATTEMPTS_ON_PICKED_PORT = 3;
    private static final String CACHE_NAME = "redis";

    private static File binary;

    private final RedisServer server;
    private final int port;
    private final Path workDir;
    private final ProcessGuard guard;
    private volatile Thread shutdownHook;
    private boolean closed;

    private EmbeddedRedis(RedisServer server, int port, Path workDir, ProcessGuard guard) {
        this.server = server;
        this.port = port;
        this.workDir = workDir;
        this.guard = guard;
        this.shutdownHook = EmbeddedFiles.addShutdownHook("courier-embedded-redis-shutdown", this::close);
    }

    /**
     * Starts a Redis server.
     *
     * @param port the TCP port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedRedis start(int port) {
        Ports.checkPortArgument(port);
        int attempts = port == 0 ? ATTEMPTS_ON_PICKED_PORT : 1;
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int chosenPort = port == 0 ? Ports.freePort() : port;
            try {
                return startOnce(chosenPort);
            } catch (RuntimeException e) {
                failure = e;
                if (attempt < attempts) {
                    log.warn(
                            "Redis did not start on port {} (attempt {} of {}), trying another port: {}",
                            chosenPort,
                            attempt,
                            attempts,
                            e.toString());
                }
            }
        }
        throw failure;
    }

    private static EmbeddedRedis startOnce(int port) {
        long started = System.nanoTime();
        // the working directory for anything Redis might still write (SAVE, BGSAVE on request)
        Path workDir = EmbeddedFiles.newTempDir("courier-redis-");
        RedisServer server = null;
        try {
            File executable = binary();
            // options on the command line: embedded-redis' builder would write a config file into
            // java.io.tmpdir on every start instead
            List<String> command = List.of(
                    executable.getAbsolutePath(),
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--protected-mode",
                    "yes",
                    "--daemonize",
                    "no",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    workDir.toString());
            server = new RedisServer(
                    port,
                    command,
                    false,
                    line -> log.debug("[redis:{}] {}", port, line),
                    line -> log.warn("[redis:{}] {}", port, line));
            server.start();
            long pid = findServerPid(port);
            ProcessGuard guard = ProcessGuard.watch(pid, "redis-server");
            EmbeddedRedis redis = new EmbeddedRedis(server, port, workDir, guard);
            log.info(
                    "Embedded Redis started in {} ms on 127.0.0.1:{} (pid {})",
                    (System.nanoTime() - started) / 1_000_000,
                    port,
                    pid);
            return redis;
        } catch (IOException e) {
            stopQuietly(server, port);
            EmbeddedFiles.deleteQuietly(workDir);
            throw new UncheckedIOException("Could not start embedded Redis on port " + port, e);
        } catch (RuntimeException e) {
            stopQuietly(server, port);
            EmbeddedFiles.deleteQuietly(workDir);
            throw new IllegalStateException("Could not start embedded Redis on port " + port, e);
        }
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /**
     * Removes the JVM shutdown hook that would otherwise close this server when the JVM exits: the caller closes it
     * itself, in its own order (for example after the services that use it have stopped).
     */
    public void closeOnlyExplicitly() {
        EmbeddedFiles.removeShutdownHook(shutdownHook);
        shutdownHook = null;
    }

    /** Stops the server. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        EmbeddedFiles.removeShutdownHook(shutdownHook);
        guard.close();
        stopQuietly(server, port);
        EmbeddedFiles.deleteQuietly(workDir);
        log.info("Embedded Redis on port {} stopped", port);
    }

    private static void stopQuietly(RedisServer server, int port) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (IOException | RuntimeException e) {
            log.warn("Could not stop embedded Redis on port {} cleanly: {}", port, e.toString());
        }
    }

    /**
     * The bundled redis-server binary for this platform, copied once per machine into a cache directory
     * (embedded-redis itself would copy it into a new temporary directory on every start).
     */
    private static synchronized File binary() throws IOException {
        if (binary != null && binary.canExecute()) {
            return binary;
        }
        String resource = ExecutableProvider.newProvidedVersionsMap().get(OsArchitecture.detectOSandArchitecture());
        URL url = resource == null ? null : RedisServer.class.getResource(resource);
        if (url == null) {
            throw new IOException("embedded-redis has no redis-server binary for this platform ("
                    + OsArchitecture.detectOSandArchitecture() + ")");
        }
        Path dir = EmbeddedFiles.cacheDir(CACHE_NAME);
        Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        binary = EmbeddedFiles.withLock(dir.resolveSibling(CACHE_NAME + ".lock"), () -> {
            URLConnection connection = url.openConnection();
            long size = connection.getContentLengthLong();
            if (Files.isExecutable(target) && Files.size(target) == size) {
                connection.getInputStream().close();
                return target.toFile();
            }
            Path partial = Files.createTempFile(dir, "redis-server", ".partial");
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                if (!partial.toFile().setExecutable(true)) {
                    throw new IOException("Could not make " + partial + " executable");
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
            log.debug("Copied {} to {}", resource, target);
            return target.toFile();
        });
        return binary;
    }

    /** The pid of the redis-server child of this JVM that listens on {@code port}; -1 if not found. */
    private static long findServerPid(int port) {
        // redis-server rewrites its process title to "redis-server 127.0.0.1:<port>"
        String portArgument = "--port " + port;
        return ProcessHandle.current()
                .children()
                .filter(child -> {
                    String commandLine = ProcessGuard.commandLine(child.pid());
                    return commandLine != null
                            && commandLine.contains("redis-server")
                            && (commandLine.contains(portArgument) || commandLine.contains(":" + port));
                })
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElse(-1);
    }
}
