package dev.courier.bridge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;

/**
 * The shared servers of this JVM ({@link CourierInfrastructure#shared()}) as the bridge-worker's tests use them: the
 * database, a real producer, topics, and {@link TopicTail}s that read what was appended to a topic since a point.
 */
public final class TestServers {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private static @Nullable JdbcClient jdbc;

    private static @Nullable KafkaTemplate<String, String> kafka;

    private TestServers() {}

    public static Infrastructure infrastructure() {
        return CourierInfrastructure.shared();
    }

    public static synchronized JdbcClient jdbc() {
        if (jdbc == null) {
            Infrastructure servers = infrastructure();
            jdbc = JdbcClient.create(
                    new DriverManagerDataSource(servers.jdbcUrl(), servers.dbUser(), servers.dbPassword()));
        }
        return jdbc;
    }

    /** A real producer (acks=all), shared by the tests of this JVM. */
    public static synchronized KafkaTemplate<String, String> kafka() {
        if (kafka == null) {
            kafka = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    infrastructure().kafkaBootstrap(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class)));
        }
        return kafka;
    }

    /** Creates the topic unless it exists (with whatever partitions it has then). */
    public static void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure().kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An id of this run: the database may outlive it (a server named by environment variables). */
    public static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(System.currentTimeMillis(), 36) + SEQUENCE.incrementAndGet();
    }

    public static @Nullable String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Opens a tail at the current end of the topic (which must exist). */
    public static TopicTail tail(String topic) {
        return new TopicTail(topic);
    }

    /**
     * What is appended to a topic after the tail was opened. {@link #records()} reads up to the end of the topic as it
     * is when called, so a record Kafka acknowledged before the call is in the answer, and nothing has to be waited
     * for when a test wants to show that something was not published.
     */
    public static final class TopicTail implements AutoCloseable {

        private final KafkaConsumer<String, String> consumer;

        private final List<TopicPartition> partitions;

        private final List<ConsumerRecord<String, String>> records = new ArrayList<>();

        private TopicTail(String topic) {
            Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure().kafkaBootstrap());
            config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            // what is read is there already: the broker need not wait for more
            config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
            consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
            partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("no topic " + topic);
            }
            consumer.assign(partitions);
            consumer.endOffsets(partitions).forEach(consumer::seek);
        }

        /** Every record appended since the tail was opened, in offset order within each partition. */
        public List<ConsumerRecord<String, String>> records() {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the records up to " + end + " were not read within 30 s");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return List.copyOf(records);
        }

        /** {@link #records()} of one key. */
        public List<ConsumerRecord<String, String>> records(String key) {
            return records().stream().filter(r -> key.equals(r.key())).toList();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
