package dev.courier.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File-system helpers shared by the embedded servers. */
final class EmbeddedFiles {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedFiles.class);

    private static final Set<String> SWEPT_PREFIXES = ConcurrentHashMap.newKeySet();

    /** In-JVM locks per lock file: {@link FileChannel#lock()} alone only excludes other processes. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private EmbeddedFiles() {}

    interface IoAction<T> {
        T run() throws IOException;
    }

    /**
     * A new, empty directory {@code <java.io.tmpdir>/<prefix><pid>-<random>}. The first call per prefix
     * also deletes the directories with that prefix that JVMs which no longer run left behind (a JVM
     * killed with {@code kill -9} cannot clean up after itself).
     */
    static Path newTempDir(String prefix) {
        if (SWEPT_PREFIXES.add(prefix)) {
            sweepStaleTempDirs(prefix);
        }
        try {
            return Files.createTempDirectory(prefix + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary directory", e);
        }
    }

    private static void sweepStaleTempDirs(String prefix) {
        Pattern name = Pattern.compile(Pattern.quote(prefix) + "(\\d+)-\\d+");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp, prefix + "*")) {
            for (Path entry : entries) {
                Matcher matcher = name.matcher(entry.getFileName().toString());
                if (matcher.matches()
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
                    log.info("Deleting {}, left behind by a JVM that no longer runs", entry);
                    deleteQuietly(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Could not look for stale temporary directories in {}: {}", tmp, e.toString());
        }
    }

    /**
     * A directory under {@code java.io.tmpdir} that is kept across runs and shared by all JVMs of this
     * user, for unpacked server binaries.
     */
    static Path cacheDir(String name) {
        Path dir = Path.of(
                System.getProperty("java.io.tmpdir"), "courier-embedded-" + System.getProperty("user.name"), name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the cache directory " + dir, e);
        }
    }

    /** Runs {@code action} while holding an exclusive lock on {@code lockFile}, against this and other JVMs. */
    static <T> T withLock(Path lockFile, IoAction<T> action) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.lock();
            try {
                return action.run();
            } finally {
                lock.release();
            }
        } finally {
            jvmLock.unlock();
        }
    }

    /** Deletes a directory tree; failures are logged, not thrown. */
    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null && !(exc instanceof NoSuchFileException)) {
                        throw exc;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("Could not delete {} completely: {}", dir, e.toString());
        }
    }

    /** Registers a JVM shutdown hook; returns it so that it can be removed again. */
    static Thread addShutdownHook(String name, Runnable action) {
        Thread hook = new Thread(action, name);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return null;
        }
        return hook;
    }

    /** Removes a hook added by {@link #addShutdownHook}; a no-op while the JVM is shutting down. */
    static void removeShutdownHook(Thread hook) {
        if (hook == null || Thread.currentThread() == hook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway; close() is idempotent
        }
    }
}
