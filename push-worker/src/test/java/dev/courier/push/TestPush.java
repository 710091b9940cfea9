package dev.courier.push;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.MessageId;
import dev.courier.common.Presence;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.store.AccountRepository;
import dev.courier.store.DeviceRepository;
import dev.courier.store.PushTokenRepository;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;

/**
 * The stack in front of the push-worker and behind it, started once per JVM on the shared servers: the real
 * fanout-worker (so candidates come from real inbox commits), the push-worker with all three providers configured,
 * and the providers' stand-ins: a {@link WebhookReceiver}, Pushy's mock APNs server ({@link MockApns}) and a
 * {@link FakeFcm}. The worker coalesces per second (the default) and retries quickly: a push fails for good after
 * {@link #RETRY_BUDGET}.
 */
final class TestPush {

    static final String WEBHOOK_SECRET = "test-webhook-secret";

    static final Duration RETRY_BUDGET = Duration.ofSeconds(10);

    static final Duration COALESCE = Duration.ofSeconds(1);

    private static Infrastructure infrastructure;

    private static WebhookReceiver webhook;

    private static MockApns apns;

    private static FakeFcm fcm;

    private static ConfigurableApplicationContext fanout;

    private static ConfigurableApplicationContext worker;

    private static JdbcClient jdbc;

    private static JdbcTemplate jdbcTemplate;

    private static KafkaTemplate<String, String> kafka;

    private static RedisCommands<String, String> redis;

    private TestPush() {}

    static synchronized void start() {
        if (worker != null) {
            return;
        }
        try {
            infrastructure = CourierInfrastructure.shared();
            Path directory = Files.createTempDirectory("courier-push-tests");
            webhook = new WebhookReceiver(WEBHOOK_SECRET);
            apns = new MockApns(directory);
            fcm = new FakeFcm();
            DriverManagerDataSource dataSource = new DriverManagerDataSource(
                    infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
            jdbc = JdbcClient.create(dataSource);
            jdbcTemplate = new JdbcTemplate(dataSource);
            kafka = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    infrastructure.kafkaBootstrap(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class)));
            redis = RedisClient.create(infrastructure.redisUrl()).connect().sync();

            List<String> common = new ArrayList<>(infrastructure.springArguments());
            common.addAll(List.of(
                    "--server.port=0", "--spring.main.banner-mode=off", "--logging.include-application-name=false"));
            fanout = FanoutWorkerApplication.builder()
                    .registerShutdownHook(false)
                    .logStartupInfo(false)
                    .run(common.toArray(String[]::new));
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of(
                    "--courier.push.coalesce=" + COALESCE.toMillis() + "ms",
                    "--courier.push.retry.initial-interval=200ms",
                    "--courier.push.retry.max-interval=1s",
                    "--courier.push.retry.max-elapsed=" + RETRY_BUDGET.toMillis() + "ms",
                    "--courier.push.webhook.url=" + webhook.url(),
                    "--courier.push.webhook.secret=" + WEBHOOK_SECRET,
                    "--courier.push.webhook.timeout=2s",
                    "--courier.push.apns.key-id=" + MockApns.KEY_ID,
                    "--courier.push.apns.team-id=" + MockApns.TEAM_ID,
                    "--courier.push.apns.signing-key=" + apns.signingKeyPem,
                    "--courier.push.apns.topic=" + MockApns.TOPIC,
                    "--courier.push.apns.server=127.0.0.1:" + apns.port,
                    "--courier.push.apns.trusted-certificate=" + apns.certificate,
                    "--courier.push.fcm.service-account=" + fcm.serviceAccountJson(),
                    "--courier.push.fcm.endpoint=" + fcm.endpoint()));
            worker = PushWorkerApplication.builder()
                    .registerShutdownHook(false)
                    .logStartupInfo(false)
                    .run(args.toArray(String[]::new));
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                worker.close();
                                fanout.close();
                                webhook.close();
                                fcm.close();
                                try {
                                    apns.close();
                                } catch (Exception e) {
                                    // going away anyway
                                }
                            },
                            "stop-test-push"));
        } catch (Exception e) {
            throw new IllegalStateException("could not start the push test stack", e);
        }
    }

    static WebhookReceiver webhook() {
        start();
        return webhook;
    }

    static MockApns apns() {
        start();
        return apns;
    }

    static FakeFcm fcm() {
        start();
        return fcm;
    }

    static ConfigurableApplicationContext worker() {
        start();
        return worker;
    }

    static MeterRegistry meters() {
        return worker().getBean(MeterRegistry.class);
    }

    static double count(String name, String... tags) {
        var counter = meters().find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    static JdbcClient jdbc() {
        start();
        return jdbc;
    }

    static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    /** A new person with a display name. */
    static String person(String prefix) {
        String userId = uniqueId(prefix);
        new AccountRepository(jdbc()).createPerson(userId, prefix.toUpperCase(), "unused", System.currentTimeMillis());
        return userId;
    }

    /** Signs in a device of the user and gives it a push token of the provider. */
    static void device(String userId, String deviceId, String provider, String token) {
        long now = System.currentTimeMillis();
        new DeviceRepository(jdbc(), jdbcTemplate).touch(userId, deviceId, now);
        new PushTokenRepository(jdbc()).save(userId, deviceId, provider, token, now);
    }

    /** The device's token, or null. */
    static String tokenOf(String userId, String deviceId) {
        return new PushTokenRepository(jdbc())
                .token(userId, deviceId)
                .map(PushTokenRepository.PushToken::token)
                .orElse(null);
    }

    /** Sends a text from one user to another through the pipeline, as the gateway would; returns its message id. */
    static String send(String from, String to, String text) {
        start();
        String clientMsgId = uniqueId("c");
        String conversation = ConversationId.direct(from, to).value();
        ConversationRecord.MessagePosted message = new ConversationRecord.MessagePosted(
                MessageId.forSend(from, clientMsgId),
                clientMsgId,
                conversation,
                from,
                "text",
                StringNode.valueOf(text),
                Instant.now(),
                null);
        kafka.send(Topics.CONVERSATIONS, conversation, Records.encode(message)).join();
        return message.messageId();
    }

    /** The message ids of the user's inbox in seq order. */
    static List<String> inbox(String userId) {
        return jdbc().sql("SELECT message_id FROM inbox WHERE user_id = ? ORDER BY seq")
                .param(userId)
                .query(String.class)
                .list();
    }

    /** Marks the device present (as a sync-api does while it holds a stream) or not. */
    static void present(String userId, String deviceId, boolean present) {
        start();
        if (present) {
            redis.psetex(Presence.key(userId, deviceId), 60_000, "test");
        } else {
            redis.del(Presence.key(userId, deviceId));
        }
    }

    /** A consumer of every partition of the topic from its end. */
    static KafkaConsumer<String, String> consumerFromEnd(String topic) {
        start();
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafkaBootstrap());
        KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /** What was published to the consumer's partitions since its last read, up to their ends as of now. */
    static List<ConsumerRecord<String, String>> readToEnd(KafkaConsumer<String, String> consumer) {
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
}
