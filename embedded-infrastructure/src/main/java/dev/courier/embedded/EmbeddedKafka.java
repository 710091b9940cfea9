package dev.courier.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka server (KRaft, combined broker and controller) running inside this JVM: by {@link #start} a
 * single-node cluster, by {@link #startClusterNode} one node of a cluster of several.
 *
 * <p>Clients connect with {@link #bootstrapServers()} ({@code PLAINTEXT} on 127.0.0.1, advertised the
 * same way, so tools outside the JVM such as kcat work too). Topics are created automatically with 4
 * partitions and replication factor 1 (in a cluster: one replica on each node).
 *
 * <p>With a data directory, the log directory is formatted (a new cluster id) only when it has no
 * {@code meta.properties}; otherwise the existing cluster and its data are reused, also after the JVM
 * was killed (Kafka then recovers its logs on start). The controller port is picked anew on every
 * start, which is fine because the quorum is static (a single voter, {@code kraft.version=0}).
 *
 * <p>{@link #startClusterNode} starts one node of a cluster of several instead, usually one per JVM (see
 * {@link EmbeddedKafkaNode}): every node a combined broker and controller, all with the same static quorum and cluster
 * id, each with its own data directory and fixed ports, so that a node can be killed and started again where it was.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int SINGLE_NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";
    private static final int ATTEMPTS_ON_PICKED_PORT = 3;

    private final KafkaRaftServer server;
    private final int port;
    private final Path logDir;
    private final boolean temporary;
    private final String clusterId;
    private volatile Thread shutdownHook;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, int port, Path logDir, boolean temporary, String clusterId) {
        this.server = server;
        this.port = port;
        this.logDir = logDir;
        this.temporary = temporary;
        this.clusterId = clusterId;
        this.shutdownHook = EmbeddedFiles.addShutdownHook("courier-embedded-kafka-shutdown", this::close);
    }

    /**
     * Starts a broker.
     *
     * @param dataDir the log directory, kept across restarts; {@code null} for a fresh temporary one that
     *                {@link #close()} deletes
     * @param port    the PLAINTEXT port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        Ports.checkPortArgument(port);
        int attempts = port == 0 ? ATTEMPTS_ON_PICKED_PORT : 1;
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int chosenPort = port == 0 ? Ports.freePort() : port;
            try {
                return startOnce(dataDir, chosenPort);
            } catch (RuntimeException e) {
                failure = e;
                if (attempt < attempts) {
                    log.warn(
                            "Kafka did not start on port {} (attempt {} of {}), trying other ports: {}",
                            chosenPort,
                            attempt,
                            attempts,
                            e.toString());
                }
            }
        }
        throw failure;
    }

    /** One node of a cluster: its id and its two ports on 127.0.0.1. */
    public record Node(int id, int port, int controllerPort) {

        public Node {
            if (id < 0) {
                throw new IllegalArgumentException("node id must be 0 or more, was " + id);
            }
            if (port < 1 || port > 65535 || controllerPort < 1 || controllerPort > 65535 || port == controllerPort) {
                throw new IllegalArgumentException(
                        "node " + id + " needs two different ports 1..65535, was " + port + " and " + controllerPort);
            }
        }

        /** Parses {@code id:port:controllerPort}, the form {@link #toString()} writes. */
        public static Node parse(String text) {
            String[] parts = text.trim().split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("a node is id:port:controllerPort, was " + text);
            }
            return new Node(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }

        @Override
        public String toString() {
            return id + ":" + port + ":" + controllerPort;
        }
    }

    /** A new cluster id, for {@link #startClusterNode}. */
    public static String newClusterId() {
        return Uuid.randomUuid().toString();
    }

    /**
     * Starts one node of a cluster of several: a combined broker and controller, one voter of the static quorum that
     * {@code nodes} names. Every topic the brokers create by themselves (internal ones, auto-created ones) has a
     * replica on each node and needs all but one of them in sync for a write; topics declared by clients keep what
     * they declare. Returns once the broker is registered and unfenced, so a majority of the nodes must be starting
     * too.
     *
     * @param dataDir   the node's log directory, kept across restarts; formatted for {@code clusterId} when new
     * @param clusterId the same for every node, from {@link #newClusterId()}
     * @param nodeId    this node's id, one of {@code nodes}
     * @param nodes     every node of the cluster, the same list for each
     */
    public static EmbeddedKafka startClusterNode(Path dataDir, String clusterId, int nodeId, List<Node> nodes) {
        Objects.requireNonNull(dataDir, "a cluster node keeps its data: dataDir");
        Node self = nodes.stream()
                .filter(node -> node.id() == nodeId)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("node " + nodeId + " is not one of " + nodes));
        return startNode(dataDir, clusterId, self, nodes);
    }

    private static EmbeddedKafka startOnce(Path dataDir, int port) {
        return startNode(dataDir, null, new Node(SINGLE_NODE_ID, port, Ports.freePort()), null);
    }

    /** Starts a node; {@code cluster} null for a single node, the only voter of its quorum. */
    private static EmbeddedKafka startNode(Path dataDir, String expectedClusterId, Node self, List<Node> cluster) {
        long started = System.nanoTime();
        boolean temporary = dataDir == null;
        Path logDir = temporary
                ? EmbeddedFiles.newTempDir("courier-kafka-")
                : dataDir.toAbsolutePath().normalize();
        List<Node> voters = cluster == null ? List.of(self) : cluster;
        KafkaRaftServer server = null;
        try {
            Files.createDirectories(logDir);
            KafkaConfig config = KafkaConfig.fromProps(brokerProperties(logDir, self, voters), false);
            String clusterId = readClusterId(logDir);
            if (clusterId == null) {
                clusterId = format(
                        logDir,
                        self.id(),
                        expectedClusterId != null
                                ? expectedClusterId
                                : Uuid.randomUuid().toString());
            } else if (expectedClusterId != null && !expectedClusterId.equals(clusterId)) {
                throw new IllegalStateException(
                        logDir + " belongs to the Kafka cluster " + clusterId + ", not " + expectedClusterId);
            } else {
                log.debug("Reusing the formatted Kafka log directory {} (cluster {})", logDir, clusterId);
            }
            server = new KafkaRaftServer(config, Time.SYSTEM);
            // returns once the broker is registered, unfenced and accepts requests
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, self.port(), logDir, temporary, clusterId);
            log.info(
                    "Embedded Kafka {}started in {} ms on 127.0.0.1:{} (controller port {}, cluster {}), data in {}{}",
                    cluster == null ? "" : "node " + self.id() + " of " + cluster.size() + " ",
                    (System.nanoTime() - started) / 1_000_000,
                    self.port(),
                    self.controllerPort(),
                    clusterId,
                    logDir,
                    temporary ? " (temporary)" : "");
            return kafka;
        } catch (IOException e) {
            cleanUpFailedStart(server, temporary ? logDir : null);
            throw new UncheckedIOException("Could not start embedded Kafka on port " + self.port(), e);
        } catch (Exception e) {
            cleanUpFailedStart(server, temporary ? logDir : null);
            throw new IllegalStateException(
                    "Could not start embedded Kafka on port " + self.port() + " with log directory " + logDir, e);
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The PLAINTEXT port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The id of the cluster, kept in the log directory's {@code meta.properties}. */
    public String clusterId() {
        return clusterId;
    }

    /**
     * Removes the JVM shutdown hook that would otherwise close this server when the JVM exits: the caller closes it
     * itself, in its own order (for example after the services that use it have stopped).
     */
    public void closeOnlyExplicitly() {
        EmbeddedFiles.removeShutdownHook(shutdownHook);
        shutdownHook = null;
    }

    /** Shuts the broker down cleanly and, for a temporary log directory, deletes it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        EmbeddedFiles.removeShutdownHook(shutdownHook);
        long started = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka on port {} did not shut down cleanly: {}", port, e.toString());
        }
        if (temporary) {
            EmbeddedFiles.deleteQuietly(logDir);
        }
        log.info(
                "Embedded Kafka on port {} stopped in {} ms (data in {})",
                port,
                (System.nanoTime() - started) / 1_000_000,
                logDir);
    }

    private static Properties brokerProperties(Path logDir, Node self, List<Node> voters) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(self.id()));
        props.put(
                "controller.quorum.voters",
                voters.stream()
                        .map(node -> node.id() + "@127.0.0.1:" + node.controllerPort())
                        .collect(Collectors.joining(",")));
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + self.port() + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                        + self.controllerPort());
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + self.port());
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());

        // every internal topic on every node; a write needs all but one of them (a single node: that one)
        String replicas = Integer.toString(voters.size());
        String minInSync = Integer.toString(Math.max(1, voters.size() - 1));
        props.put("num.partitions", "4");
        props.put("default.replication.factor", replicas);
        props.put("min.insync.replicas", minInSync);
        props.put("offsets.topic.replication.factor", replicas);
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", replicas);
        props.put("transaction.state.log.min.isr", minInSync);
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", replicas);
        props.put("share.coordinator.state.topic.min.isr", minInSync);
        props.put("auto.create.topics.enable", "true");
        props.put("group.initial.rebalance.delay.ms", "0");

        // After a kill -9 the new broker's registration is refused as a duplicate until the old
        // registration's session expires (default 9 s); heartbeats stay frequent enough for a stall-free
        // in-process link to the controller. In a cluster this is also how soon the controller fences a killed
        // broker, moving the leadership of its partitions and dropping it from their in-sync replicas.
        props.put("broker.heartbeat.interval.ms", "500");
        props.put("broker.session.timeout.ms", "4000");

        // a small footprint: the log cleaner would otherwise allocate a 128 MiB heap buffer at start
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "4");
        return props;
    }

    /** The cluster id from an existing {@code meta.properties}, or null when the directory is not formatted. */
    private static String readClusterId(Path logDir) throws IOException {
        Path metaProperties = logDir.resolve(META_PROPERTIES);
        if (!Files.isRegularFile(metaProperties)) {
            return null;
        }
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(metaProperties)) {
            meta.load(in);
        }
        String clusterId = meta.getProperty("cluster.id");
        if (clusterId == null || clusterId.isBlank()) {
            throw new IOException(metaProperties + " has no cluster.id");
        }
        return clusterId;
    }

    /** Formats a new log directory, like {@code kafka-storage.sh format -t <cluster id>}; returns the cluster id. */
    private static String format(Path logDir, int nodeId, String clusterId) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(printStream)
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        }
        log.debug(
                "Formatted Kafka log directory {}: {}",
                logDir,
                output.toString(StandardCharsets.UTF_8).trim());
        return Objects.requireNonNull(clusterId);
    }

    private static void cleanUpFailedStart(KafkaRaftServer server, Path deleteDir) {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                log.warn("Could not shut down a partially started embedded Kafka: {}", e.toString());
            }
        }
        EmbeddedFiles.deleteQuietly(deleteDir);
    }
}
