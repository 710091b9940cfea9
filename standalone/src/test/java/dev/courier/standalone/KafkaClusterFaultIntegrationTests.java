package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.courier.common.Topics;
import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.KafkaCluster;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Courier system on a Kafka cluster of three brokers, each a JVM of its own, with its topics replicated three times
 * and {@code min.insync.replicas=2}. Under sustained load the broker that leads partition 0 of
 * {@code courier.conversations} is killed with {@code kill -9}; the two left must keep accepting sends, and once the
 * broker is back on its data the audit of {@link Load} must find nothing lost, nothing twice and every order kept.
 */
class KafkaClusterFaultIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(KafkaClusterFaultIntegrationTests.class);

    private static final String FAULT = "Kafka broker of 3 (replication 3, min ISR 2) kill -9, restarted on its data";

    private static final List<String> TOPICS = List.of(
            Topics.CONVERSATIONS,
            Topics.INBOX,
            Topics.INBOX_GROUPS,
            Topics.deadLetter(Topics.CONVERSATIONS),
            Topics.deadLetter(Topics.INBOX),
            Topics.deadLetter(Topics.INBOX_GROUPS),
            Topics.bridgeIn("cluster"),
            Topics.bridgeOut("cluster"),
            Topics.deadLetter(Topics.bridgeIn("cluster")));

    @Test
    void brokerKilledWithSigkillLeavesTwoThatKeepAcceptingSendsAndNothingIsLostOrDuplicated() throws Exception {
        Infrastructure shared = CourierInfrastructure.shared();
        try (KafkaCluster kafka = KafkaCluster.start(3)) {
            List<String> servers = List.of(
                    "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "--spring.datasource.url=" + shared.jdbcUrl(),
                    "--spring.datasource.username=" + shared.dbUser(),
                    "--spring.datasource.password=" + shared.dbPassword(),
                    "--spring.data.redis.url=" + shared.redisUrl());
            // few partitions: each broker leads some of every topic, and the cluster starts quickly on two cores
            CourierSystem system = CourierSystem.start(
                    servers,
                    0,
                    0,
                    List.of(
                            "--courier.kafka.topics.replication-factor=3",
                                    "--courier.kafka.topics.min-insync-replicas=2",
                            "--courier.kafka.topics.conversation-partitions=3",
                                    "--courier.kafka.topics.inbox-partitions=3",
                            "--courier.kafka.topics.bridge-partitions=2", "--courier.bridge.systems.cluster.users=*",
                            "--courier.gateway.limits.send-burst=1000000",
                                    "--courier.gateway.limits.sends-per-second=1000000"));
            try {
                Api api = new Api("http://127.0.0.1:" + system.gatewayPort(), "http://127.0.0.1:" + system.syncPort());
                Admin admin = kafka.admin();
                assertReplicatedThreeTimesWithMinInSyncTwo(admin);
                try (Load load = Load.start(api, chat(api), Duration.ofMillis(20))) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> load.acceptedCount() > 100
                                    && load.inboxes().values().stream()
                                                    .mapToLong(List::size)
                                                    .sum()
                                            > 0);

                    int victim = leader(admin, Topics.CONVERSATIONS, 0);
                    int controller = admin.describeMetadataQuorum()
                            .quorumInfo()
                            .get(10, TimeUnit.SECONDS)
                            .leaderId();
                    log.info(
                            "Killing broker {}, the leader of {}-0; the active controller is {}",
                            victim,
                            Topics.CONVERSATIONS,
                            controller);
                    long killed = load.acceptedCount();
                    kafka.kill(victim);
                    // the controller fences the dead broker and moves the leadership of its partitions
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> leaderOrNone(admin, Topics.CONVERSATIONS, 0) != victim
                                    && leaderOrNone(admin, Topics.CONVERSATIONS, 0) >= 0);
                    long failedOver = load.acceptedCount();
                    await().atMost(Duration.ofSeconds(60)).until(() -> load.acceptedCount() > failedOver + 200);
                    assertThat(kafka.isAlive(victim))
                            .as("sends were accepted while the broker was down")
                            .isFalse();
                    assertThat(kafka.brokers()).hasSize(2).doesNotContain(victim);

                    log.info(
                            "Broker {} down: {} sends accepted from its kill until now, {} of them after the failover",
                            victim,
                            load.acceptedCount() - killed,
                            load.acceptedCount() - failedOver);
                    kafka.restart(victim);
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> inSyncEverywhere(admin, victim));
                    long rejoined = load.acceptedCount();
                    await().atMost(Duration.ofSeconds(60)).until(() -> load.acceptedCount() > rejoined + 100);
                    load.close();
                    Load.Figures figures = load.awaitDeliveredAndAudit(FAULT);
                    assertThat(figures.otherErrors()).isZero();
                }
            } finally {
                system.close();
            }
        }
    }

    /** Three users chatting directly and in a group of four. */
    private static List<Load.Stream> chat(Api api) {
        Api.Session a = api.newUser("a");
        Api.Session b = api.newUser("b");
        Api.Session c = api.newUser("c");
        Api.Session d = api.newUser("d");
        String group = Api.uniqueId("g");
        assertThat(api.createGroup(a, group, "G", List.of(b.userId(), c.userId(), d.userId()))
                        .status())
                .isEqualTo(201);
        List<Api.Session> everyone = List.of(a, b, c, d);
        return List.of(
                new Load.Stream(a, "u:" + b.userId(), List.of(a, b)),
                new Load.Stream(b, "u:" + a.userId(), List.of(a, b)),
                new Load.Stream(c, "g:" + group, everyone),
                new Load.Stream(d, "g:" + group, everyone));
    }

    /** Every topic the services declared, as they created it from {@code courier.kafka.topics}. */
    private static void assertReplicatedThreeTimesWithMinInSyncTwo(Admin admin) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(TOPICS).allTopicNames().get(10, TimeUnit.SECONDS);
            for (TopicDescription topic : topics.values()) {
                for (TopicPartitionInfo partition : topic.partitions()) {
                    assertThat(partition.replicas()).as(topic.name()).hasSize(3);
                }
            }
            List<ConfigResource> resources = new ArrayList<>();
            TOPICS.forEach(name -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, name)));
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS);
            configs.forEach((resource, config) -> assertThat(
                            config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value())
                    .as(resource.name())
                    .isEqualTo("2"));
        });
    }

    private static int leader(Admin admin, String topic, int partition) throws Exception {
        Node leader = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(topic)
                .partitions()
                .get(partition)
                .leader();
        assertThat(leader).as("leader of %s-%d", topic, partition).isNotNull();
        return leader.id();
    }

    /** The leader's id, or -1 while there is none or the cluster does not answer. */
    private static int leaderOrNone(Admin admin, String topic, int partition) {
        try {
            Node leader = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .get(partition)
                    .leader();
            return leader == null || leader.isEmpty() ? -1 : leader.id();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Whether the broker is back among the in-sync replicas of every partition of the two chat topics. */
    private static boolean inSyncEverywhere(Admin admin, int broker) throws Exception {
        Map<String, TopicDescription> topics = admin.describeTopics(List.of(Topics.CONVERSATIONS, Topics.INBOX))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS);
        return topics.values().stream()
                .flatMap(topic -> topic.partitions().stream())
                .allMatch(partition -> partition.isr().stream().anyMatch(node -> node.id() == broker));
    }
}
