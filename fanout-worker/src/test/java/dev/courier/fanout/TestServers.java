package dev.courier.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.common.Topics;
import dev.courier.store.AccountRepository;
import dev.courier.store.DeviceRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.store.PushTokenRepository;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;

/**
 * The servers of this JVM ({@link CourierInfrastructure#shared()}, schema migrated) with the pipeline's topics, and the
 * clients the component tests build the worker's stages from: one connection pool, transactions over it, a producer.
 * Every test makes its own users and groups ({@link #uniqueId}), so tests share the servers without seeing each other.
 */
public final class TestServers {

    /** Partitions of {@code courier.conversations}, {@code courier.inbox} and {@code courier.expanded}. */
    public static final int PARTITIONS = 8;

    private static Infrastructure infrastructure;

    private static HikariDataSource dataSource;

    private static KafkaTemplate<String, String> kafka;

    private TestServers() {}

    /** The shared servers, with the topics of the pipeline created (the services' own partition counts). */
    public static synchronized Infrastructure infrastructure() {
        if (infrastructure == null) {
            Infrastructure shared = CourierInfrastructure.shared();
            createTopics(shared);
            infrastructure = shared;
        }
        return infrastructure;
    }

    private static void createTopics(Infrastructure shared) {
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.CONVERSATIONS, PARTITIONS, (short) 1),
                new NewTopic(Topics.INBOX, PARTITIONS, (short) 1),
                new NewTopic(Topics.INBOX_GROUPS, PARTITIONS, (short) 1),
                new NewTopic(Topics.EXPANDED, PARTITIONS, (short) 1),
                new NewTopic(Topics.PUSH, PARTITIONS, (short) 1),
                new NewTopic(Topics.deadLetter(Topics.CONVERSATIONS), 1, (short) 1),
                new NewTopic(Topics.deadLetter(Topics.INBOX), 1, (short) 1),
                new NewTopic(Topics.deadLetter(Topics.INBOX_GROUPS), 1, (short) 1));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, shared.kafkaBootstrap()))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> absent = topics.stream()
                    .filter(topic -> !existing.contains(topic.name()))
                    .toList();
            if (!absent.isEmpty()) {
                admin.createTopics(absent).all().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create the pipeline's topics", e);
        }
    }

    public static synchronized HikariDataSource dataSource() {
        if (dataSource == null) {
            Infrastructure shared = infrastructure();
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(shared.jdbcUrl());
            config.setUsername(shared.dbUser());
            config.setPassword(shared.dbPassword());
            config.setMaximumPoolSize(4);
            config.setPoolName("fanout-tests");
            dataSource = new HikariDataSource(config);
        }
        return dataSource;
    }

    /** Statements that take part in a transaction of {@link #transactions()}. */
    public static JdbcClient jdbc() {
        return JdbcClient.create(dataSource());
    }

    public static JdbcTemplate jdbcTemplate() {
        return new JdbcTemplate(dataSource());
    }

    public static TransactionTemplate transactions() {
        return new TransactionTemplate(new DataSourceTransactionManager(dataSource()));
    }

    /** A producer with the worker's own delivery settings. */
    public static synchronized KafkaTemplate<String, String> kafka() {
        if (kafka == null) {
            kafka = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    infrastructure().kafkaBootstrap(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                    true,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class)));
        }
        return kafka;
    }

    /** A consumer of every partition of these topics, from their ends: it sees what is published from now on. */
    public static KafkaConsumer<String, String> consumerFromEnd(String... topics) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure().kafkaBootstrap());
        KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /**
     * What was published to the consumer's partitions since its last read, up to their ends as of now: all that was
     * acknowledged before this call, nothing left out.
     */
    public static List<ConsumerRecord<String, String>> readToEnd(KafkaConsumer<String, String> consumer) {
        Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(consumer.assignment()));
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read up to " + ends);
            }
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
        return records;
    }

    /** An id of {@code a-z 0-9 -} no other test uses. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    /** A new person (an account of kind {@code user}). */
    public static String person(String prefix) {
        String userId = uniqueId(prefix);
        new AccountRepository(jdbc()).createPerson(userId, prefix, "unused", System.currentTimeMillis());
        return userId;
    }

    /** Signs in a device of the user and gives it a push token. */
    public static void pushToken(String userId, String deviceId, String token) {
        long now = System.currentTimeMillis();
        new DeviceRepository(jdbc(), jdbcTemplate()).touch(userId, deviceId, now);
        new PushTokenRepository(jdbc()).save(userId, deviceId, "webhook", token, now);
    }

    /** A new bridge identity {@code <system>.<external user>} (an account of kind {@code bridge}). */
    public static String bridgeIdentity(String system) {
        String userId = system + "." + uniqueId("ext");
        new AccountRepository(jdbc()).createBridgeIdentity(userId, userId, System.currentTimeMillis());
        return userId;
    }

    /** A new group at members version 1, with these first members (the owner is one of them). */
    public static String group(String owner, String... others) {
        String groupId = uniqueId("g");
        List<String> members = new ArrayList<>();
        members.add(owner);
        members.addAll(List.of(others));
        transactions()
                .executeWithoutResult(status -> new MembershipRepository(jdbc())
                        .create(groupId, "G", owner, members, System.currentTimeMillis()));
        return groupId;
    }
}
