package dev.courier.standalone;

import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.courier.ops.KafkaTopicsProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one set of topic settings that every service binds from {@code courier.kafka.topics}. */
class KafkaTopicsPropertiesTests {

    private static KafkaTopicsProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("courier.kafka.topics", KafkaTopicsProperties.class);
    }

    @Test
    void defaultsSuitASingleBroker() {
        KafkaTopicsProperties topics = bind(Map.of());
        assertThat(topics).isEqualTo(new KafkaTopicsProperties((short) 1, 1, 8, 8, 4, 8));
        NewTopic conversations = topics.topic("courier.conversations", topics.conversationPartitions());
        assertThat(conversations.numPartitions()).isEqualTo(8);
        assertThat(conversations.replicationFactor()).isEqualTo((short) 1);
        assertThat(conversations.configs()).containsEntry("min.insync.replicas", "1");
    }

    @Test
    void aClusterReplicatesEveryTopicAndItsDeadLetterTopicAlike() {
        KafkaTopicsProperties topics = bind(Map.of(
                "courier.kafka.topics.replication-factor",
                "3",
                "courier.kafka.topics.min-insync-replicas",
                "2",
                "courier.kafka.topics.inbox-partitions",
                "12"));
        NewTopic inbox = topics.topic("courier.inbox", topics.inboxPartitions());
        NewTopic deadLetters = topics.deadLetterTopic("courier.inbox.dlt");
        assertThat(inbox.numPartitions()).isEqualTo(12);
        assertThat(deadLetters.numPartitions()).isEqualTo(1);
        for (NewTopic topic : new NewTopic[] {inbox, deadLetters}) {
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
            assertThat(topic.configs()).containsEntry("min.insync.replicas", "2");
        }
    }

    @Test
    void refusesMoreInSyncReplicasThanReplicas() {
        assertThatThrownBy(() -> bind(Map.of("courier.kafka.topics.min-insync-replicas", "2")))
                .rootCause()
                .hasMessageContaining("min-insync-replicas must be 1..1");
    }
}
