package dev.courier.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.courier.embedded.EmbeddedKafka;
import dev.courier.embedded.EmbeddedKafkaNode;
import dev.courier.embedded.Ports;

import static org.awaitility.Awaitility.await;

/**
 * A real Kafka cluster of several nodes, each a combined broker and controller in a JVM of its own
 * ({@link EmbeddedKafkaNode}) with its own data directory and fixed ports, so that a test can kill one broker for real
 * ({@link #kill}: {@code kill -9}) and start it again where it was ({@link #restart}). Every topic the brokers create by
 * themselves has a replica on each node; topics declared by clients keep what they declare.
 */
public final class KafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String clusterId;

    private final List<EmbeddedKafka.Node> nodes;

    private final Path dataDir;

    private final Map<Integer, JavaProcess> processes = new LinkedHashMap<>();

    private final Admin admin;

    private final Thread shutdownHook = new Thread(this::killAll, "courier-kafka-cluster-kill");

    private KafkaCluster(String clusterId, List<EmbeddedKafka.Node> nodes, Path dataDir) {
        this.clusterId = clusterId;
        this.nodes = nodes;
        this.dataDir = dataDir;
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10000));
    }

    /** Starts {@code size} nodes, with ids 1 to {@code size}, and returns once every broker is registered. */
    public static KafkaCluster start(int size) {
        List<EmbeddedKafka.Node> nodes = IntStream.rangeClosed(1, size)
                .mapToObj(id -> new EmbeddedKafka.Node(id, Ports.freePort(), Ports.freePort()))
                .toList();
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("courier-kafka-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaCluster cluster = new KafkaCluster(EmbeddedKafka.newClusterId(), nodes, dataDir);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            long started = System.nanoTime();
            // all at once: a node's start returns only once a majority of the quorum is up
            nodes.forEach(node -> cluster.launch(node.id()));
            cluster.awaitBrokers(node -> true, "every broker registered");
            log.info(
                    "Kafka cluster {} of {} nodes ready in {} ms at {}",
                    cluster.clusterId,
                    size,
                    (System.nanoTime() - started) / 1_000_000,
                    cluster.bootstrapServers());
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Every node's address, as clients list them. */
    public String bootstrapServers() {
        return nodes.stream().map(node -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
    }

    public List<Integer> nodeIds() {
        return nodes.stream().map(EmbeddedKafka.Node::id).toList();
    }

    /** An admin client of the cluster, open until {@link #close()}. */
    public Admin admin() {
        return admin;
    }

    /** The brokers the controller lists as up now (a killed one until its session has expired and it is fenced). */
    public Set<Integer> brokers() {
        try {
            return admin
                    .describeCluster(new DescribeClusterOptions().timeoutMs(5000))
                    .nodes()
                    .get(10, TimeUnit.SECONDS)
                    .stream()
                    .map(Node::id)
                    .collect(Collectors.toSet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("The Kafka cluster did not describe itself", e);
        }
    }

    public synchronized boolean isAlive(int nodeId) {
        return process(nodeId).isAlive();
    }

    /** What the node's process printed so far. */
    public synchronized String output(int nodeId) {
        return process(nodeId).output();
    }

    /** {@code kill -9} of the node's process: no shutdown hook, no controlled shutdown, no flush. */
    public synchronized void kill(int nodeId) {
        JavaProcess process = process(nodeId);
        process.kill();
        if (process.isAlive()) {
            throw new IllegalStateException("Kafka node " + nodeId + " outlived kill -9");
        }
        log.info("Kafka node {} killed with SIGKILL", nodeId);
    }

    /**
     * Starts a stopped node again on its data directory and ports; returns once its broker is registered again. The
     * controller refuses the new registration until the old one has expired, so this first waits for that.
     */
    public synchronized void restart(int nodeId) {
        if (process(nodeId).isAlive()) {
            throw new IllegalStateException("Kafka node " + nodeId + " is still running");
        }
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .alias("the controller fences the stopped node " + nodeId)
                .until(() -> !brokers().contains(nodeId));
        long started = System.nanoTime();
        launch(nodeId);
        awaitBrokers(node -> node == nodeId, "node " + nodeId + " registered again");
        log.info("Kafka node {} restarted on its data in {} ms", nodeId, (System.nanoTime() - started) / 1_000_000);
    }

    /** Stops every node and deletes the data: a test cluster keeps nothing, so no clean shutdown is waited for. */
    @Override
    public synchronized void close() {
        killAll();
        admin.close(Duration.ofSeconds(1));
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("Could not delete {} completely: {}", dataDir, e.toString());
        }
    }

    private void killAll() {
        List<JavaProcess> running;
        synchronized (processes) {
            running = new ArrayList<>(processes.values());
        }
        running.forEach(JavaProcess::kill);
    }

    private void launch(int nodeId) {
        JavaProcess process = JavaProcess.start(
                EmbeddedKafkaNode.class.getName(),
                List.of(
                        dataDir.resolve("node-" + nodeId).toString(),
                        clusterId,
                        Integer.toString(nodeId),
                        nodes.stream().map(EmbeddedKafka.Node::toString).collect(Collectors.joining(","))));
        synchronized (processes) {
            processes.put(nodeId, process);
        }
    }

    private JavaProcess process(int nodeId) {
        synchronized (processes) {
            JavaProcess process = processes.get(nodeId);
            if (process == null) {
                throw new IllegalArgumentException("no Kafka node " + nodeId + " in " + nodeIds());
            }
            return process;
        }
    }

    /** Waits until every node that {@code wanted} picks is a registered broker; fails early when one's process died. */
    private void awaitBrokers(IntPredicate wanted, String what) {
        List<Integer> expected = nodeIds().stream().filter(wanted::test).toList();
        await().atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .alias(what)
                .until(() -> {
                    for (int id : expected) {
                        JavaProcess process = process(id);
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Kafka node " + id + " exited with " + process.exitValue()
                                    + ":\n" + process.output());
                        }
                    }
                    try {
                        return brokers().containsAll(expected);
                    } catch (IllegalStateException notYet) {
                        // no quorum yet
                        return false;
                    }
                });
    }
}
