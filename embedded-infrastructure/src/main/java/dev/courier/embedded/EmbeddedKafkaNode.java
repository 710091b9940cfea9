package dev.courier.embedded;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a Kafka cluster as a process of its own: {@link EmbeddedKafka#startClusterNode} until the process is
 * stopped. SIGTERM shuts the node down cleanly (a shutdown hook); {@code kill -9} does not, which is what fault tests
 * want of it.
 *
 * <p>Arguments: {@code <data dir> <cluster id> <node id> <nodes>}, with the nodes as {@code id:port:controllerPort}
 * separated by commas, the same list for every node.
 */
public final class EmbeddedKafkaNode {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaNode.class);

    private EmbeddedKafkaNode() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            throw new IllegalArgumentException(
                    "arguments: <data dir> <cluster id> <node id> <id:port:controllerPort,...>");
        }
        List<EmbeddedKafka.Node> nodes =
                Arrays.stream(args[3].split(",")).map(EmbeddedKafka.Node::parse).toList();
        EmbeddedKafka kafka =
                EmbeddedKafka.startClusterNode(Path.of(args[0]), args[1], Integer.parseInt(args[2]), nodes);
        log.info("Kafka node {} is ready at {}", args[2], kafka.bootstrapServers());
        // the broker's own threads serve; this one only keeps the process up until it is stopped
        new CountDownLatch(1).await();
    }
}
