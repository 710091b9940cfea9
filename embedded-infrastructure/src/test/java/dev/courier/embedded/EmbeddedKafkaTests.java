package dev.courier.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedKafkaTests {

    @Test
    void producesAndConsumesThroughAConsumerGroup() throws Exception {
        Path logDir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null, 0)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());

            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("roundtrip", 2, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                        .isEqualTo(kafka.clusterId());
            }
            send(kafka, "roundtrip", "k1", "hello");

            try (KafkaConsumer<String, String> consumer = consumer(kafka, "roundtrip-group")) {
                consumer.subscribe(List.of("roundtrip"));
                List<ConsumerRecord<String, String>> records = pollUntil(consumer, 1);
                assertThat(records)
                        .extracting(ConsumerRecord::key, ConsumerRecord::value)
                        .containsExactly(Tuple.tuple("k1", "hello"));
                consumer.commitSync();
            }
            logDir = findTemporaryLogDir(kafka);
            assertThat(logDir).isDirectory();
        }
        assertThat(logDir).doesNotExist();
    }

    @Test
    void createsTopicsAutomaticallyWithFourPartitions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null, 0)) {
            RecordMetadata metadata = send(kafka, "auto-created", "k", "v");
            assertThat(metadata.topic()).isEqualTo("auto-created");
            try (KafkaConsumer<String, String> consumer = consumer(kafka, null)) {
                assertThat(consumer.partitionsFor("auto-created")).hasSize(4);
            }
        }
    }

    @Test
    void keepsClusterAndRecordsAcrossRestart(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            clusterId = kafka.clusterId();
            send(kafka, "persistent", "k", "survives a restart");
        }
        assertThat(dataDir.resolve("meta.properties")).isRegularFile();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            assertThat(readAll(kafka, "persistent", 1)).containsExactly("survives a restart");
        }
        assertThat(dataDir).isDirectory();
    }

    static RecordMetadata send(EmbeddedKafka kafka, String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads a topic from the beginning, without a consumer group. */
    static List<String> readAll(EmbeddedKafka kafka, String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = consumer(kafka, null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return pollUntil(consumer, expected).stream()
                    .map(ConsumerRecord::value)
                    .toList();
        }
    }

    static KafkaConsumer<String, String> consumer(EmbeddedKafka kafka, String groupId) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        if (groupId != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return new KafkaConsumer<>(config);
    }

    static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (records.size() < expected && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    /** The temporary log directory: the only courier-kafka-* directory holding this cluster's meta.properties. */
    private static Path findTemporaryLogDir(EmbeddedKafka kafka) throws Exception {
        try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            for (Path candidate : dirs.filter(d -> d.getFileName().toString().startsWith("courier-kafka-"))
                    .toList()) {
                Path meta = candidate.resolve("meta.properties");
                if (Files.isRegularFile(meta) && Files.readString(meta).contains(kafka.clusterId())) {
                    return candidate;
                }
            }
        }
        throw new AssertionError("No temporary log directory found for cluster " + kafka.clusterId());
    }
}
