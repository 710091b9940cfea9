package dev.courier.embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three cluster nodes in this JVM form one cluster (fault tests run the same nodes as three JVMs, through
 * {@link EmbeddedKafkaNode}).
 */
class EmbeddedKafkaClusterTests {

    @Test
    void threeNodesFormOneClusterThatReplicatesEveryTopicAndKeepsWritingWithOneNodeAway(@TempDir Path dir)
            throws Exception {
        List<EmbeddedKafka.Node> nodes = List.of(node(1), node(2), node(3));
        String clusterId = EmbeddedKafka.newClusterId();
        List<EmbeddedKafka> running = new ArrayList<>(startAll(dir, clusterId, nodes));
        String bootstrap = running.stream().map(EmbeddedKafka::bootstrapServers).collect(Collectors.joining(","));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                KafkaProducer<String, String> producer = producer(bootstrap)) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .extracting(Node::id)
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(running).extracting(EmbeddedKafka::clusterId).containsOnly(clusterId);

            producer.send(new ProducerRecord<>("replicated", "k", "before")).get(30, TimeUnit.SECONDS);
            TopicDescription topic = admin.describeTopics(List.of("replicated"))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get("replicated");
            for (TopicPartitionInfo partition : topic.partitions()) {
                assertThat(partition.replicas()).extracting(Node::id).containsExactlyInAnyOrder(1, 2, 3);
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            assertThat(admin.describeConfigs(List.of(broker))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(broker)
                            .get("min.insync.replicas")
                            .value())
                    .isEqualTo("2");

            // one node away: two replicas in sync are enough for acks=all
            running.remove(2).close();
            producer.send(new ProducerRecord<>("replicated", "k", "one node away"))
                    .get(30, TimeUnit.SECONDS);

            EmbeddedKafka again = EmbeddedKafka.startClusterNode(dir.resolve("node-3"), clusterId, 3, nodes);
            running.add(again);
            assertThat(again.clusterId()).isEqualTo(clusterId);
            assertThat(EmbeddedKafkaTests.readAll(again, "replicated", 2)).containsExactly("before", "one node away");
        } finally {
            closeAll(running);
        }
    }

    private static EmbeddedKafka.Node node(int id) {
        return new EmbeddedKafka.Node(id, Ports.freePort(), Ports.freePort());
    }

    /** All at once: a node's start returns only once a majority of the quorum is up. */
    private static List<EmbeddedKafka> startAll(Path dir, String clusterId, List<EmbeddedKafka.Node> nodes) {
        List<CompletableFuture<EmbeddedKafka>> starts = nodes.stream()
                .map(node -> CompletableFuture.supplyAsync(() ->
                        EmbeddedKafka.startClusterNode(dir.resolve("node-" + node.id()), clusterId, node.id(), nodes)))
                .toList();
        return starts.stream().map(CompletableFuture::join).toList();
    }

    /** In parallel, so that every broker's controlled shutdown finds a controller quorum. */
    private static void closeAll(Collection<EmbeddedKafka> running) {
        CompletableFuture.allOf(running.stream()
                        .map(kafka -> CompletableFuture.runAsync(kafka::close))
                        .toArray(CompletableFuture[]::new))
                .join();
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName()));
    }
}
