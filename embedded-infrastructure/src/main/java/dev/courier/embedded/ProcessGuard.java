package dev.courier.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps server processes started by this JVM from outliving it.
 *
 * <p>A JVM that is killed with {@code kill -9} runs no shutdown hook, so the server processes it
 * started (mariadbd, redis-server) would keep running, holding their port and (for MariaDB) the lock
 * on the data directory. {@link #watch} starts a tiny {@code /bin/sh} loop next to each such process
 * that sends it SIGTERM (a clean shutdown) as soon as this JVM is gone. {@link #stopStale} is the
 * second line of defence, used before starting a server on a data directory.
 */
final class ProcessGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessGuard.class);

    private static final String SH = "/bin/sh";

    /*
     * $1 = pid of this JVM, $2 = pid of the server, $3 = a fragment of the server's command line that
     * must still be present (guards against the pid having been reused by an unrelated process).
     */
    private static final String SCRIPT = """
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            if tr '\\000' ' ' < "/proc/$2/cmdline" 2>/dev/null | grep -qF -- "$3"; then
              kill -TERM "$2" 2>/dev/null
            fi
            """;

    private final Process watchdog;

    private ProcessGuard(Process watchdog) {
        this.watchdog = watchdog;
    }

    /**
     * Starts a watchdog that terminates {@code serverPid} once this JVM has died. Returns a guard whose
     * {@link #close()} stops the watchdog (call it before stopping the server normally). Best effort:
     * without {@code /bin/sh} or {@code /proc} it does nothing.
     */
    static ProcessGuard watch(long serverPid, String commandLineMarker) {
        if (serverPid <= 0) {
            log.warn("Unknown server pid; the server may outlive this JVM if the JVM is killed");
            return new ProcessGuard(null);
        }
        if (!new File(SH).canExecute() || !Files.isDirectory(Path.of("/proc", Long.toString(serverPid)))) {
            log.debug("Not watching pid {}: no {} or no /proc on this system", serverPid, SH);
            return new ProcessGuard(null);
        }
        try {
            Process process = new ProcessBuilder(List.of(
                            SH,
                            "-c",
                            SCRIPT,
                            "courier-embedded-watchdog",
                            Long.toString(ProcessHandle.current().pid()),
                            Long.toString(serverPid),
                            commandLineMarker))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            log.debug("Watchdog pid {} terminates pid {} when this JVM dies", process.pid(), serverPid);
            return new ProcessGuard(process);
        } catch (IOException e) {
            log.warn(
                    "Could not start a watchdog for pid {}; it may outlive this JVM if the JVM is killed: {}",
                    serverPid,
                    e.toString());
            return new ProcessGuard(null);
        }
    }

    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.destroy();
        }
    }

    /**
     * If {@code pid} is a live process whose command line contains {@code commandLineMarker} (a server left
     * behind by a JVM that was killed), stops it: SIGTERM, then SIGKILL after {@code timeout}.
     *
     * @return whether such a process was found
     */
    static boolean stopStale(long pid, String commandLineMarker, Duration timeout) {
        if (pid == ProcessHandle.current().pid()) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        String commandLine = commandLine(pid);
        if (commandLine == null || !commandLine.contains(commandLineMarker)) {
            return false;
        }
        ProcessHandle process = handle.get();
        Optional<ProcessHandle> parent = process.parent();
        if (parent.isPresent() && isJava(parent.get())) {
            // not left behind: a running JVM (maybe this one) still owns it
            throw new InUseException("Server process " + pid + " (" + commandLine
                    + ") is still in use by the running JVM " + parent.get().pid());
        }
        log.warn("Stopping stale server process {} left behind by an earlier run: {}", pid, commandLine);
        process.destroy();
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("Stale process {} did not stop within {}; killing it", pid, timeout);
            process.destroyForcibly();
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e2) {
                throw new IllegalStateException("Could not stop stale process " + pid, e2);
            } catch (InterruptedException e2) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while stopping stale process " + pid, e2);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not stop stale process " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping stale process " + pid, e);
        }
        return true;
    }

    /** A server's data directory is in use by a running JVM; trying other ports won't help. */
    static final class InUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        InUseException(String message) {
            super(message);
        }

        static boolean isCauseOf(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof InUseException) {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean isJava(ProcessHandle process) {
        if (process.pid() == ProcessHandle.current().pid()) {
            return true;
        }
        return process.info()
                .command()
                .map(command -> command.endsWith("/java") || command.equals("java"))
                .orElse(false);
    }

    /** The command line of a process from /proc, with NULs as spaces; null if unknown. */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    raw[i] = ' ';
                }
            }
            return new String(raw, StandardCharsets.UTF_8).trim();
        } catch (IOException | SecurityException e) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse(null);
        }
    }
}
