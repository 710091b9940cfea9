package dev.courier.ops;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.kafka.config.TopicBuilder;

/**
 * How the services create Courier's topics when they do not exist yet. Every service that declares a topic reads
 * these same settings, so one value (for example {@code COURIER_KAFKA_TOPICS_REPLICATION_FACTOR=3}) configures the
 * topic alike wherever it is declared. A topic that exists already is left as it is (operators may create the topics
 * beforehand).
 *
 * <p>The defaults suit a single broker. On a cluster of three brokers, replication factor 3 with min ISR 2 keeps every
 * record on two brokers before a send is accepted (producers use {@code acks=all}) and keeps accepting sends while one
 * broker is down.
 *
 * @param replicationFactor replicas of each topic
 * @param minInsyncReplicas the topics' {@code min.insync.replicas}: the replicas that must have a record before a
 *        write with {@code acks=all} succeeds; at most {@code replicationFactor}
 * @param conversationPartitions partitions of {@code courier.conversations}
 * @param inboxPartitions partitions of {@code courier.inbox}
 * @param bridgePartitions partitions of each bridged system's inbound and outbound topics
 * @param pushPartitions partitions of {@code courier.push} (push candidates, keyed by user): the push-worker's
 *        instances share them
 */
@ConfigurationProperties("courier.kafka.topics")
public record KafkaTopicsProperties(
        @DefaultValue("1") short replicationFactor,
        @DefaultValue("1") int minInsyncReplicas,
        @DefaultValue("8") int conversationPartitions,
        @DefaultValue("8") int inboxPartitions,
        @DefaultValue("4") int bridgePartitions,
        @DefaultValue("8") int pushPartitions) {

    public KafkaTopicsProperties {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(
                    "courier.kafka.topics.replication-factor must be at least 1, was " + replicationFactor);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("courier.kafka.topics.min-insync-replicas must be 1.."
                    + replicationFactor + " (the replication factor), was " + minInsyncReplicas);
        }
        if (conversationPartitions < 1 || inboxPartitions < 1 || bridgePartitions < 1 || pushPartitions < 1) {
            throw new IllegalArgumentException("courier.kafka.topics: partition counts must be at least 1");
        }
    }

    /** The declaration of a topic with this many partitions, replicated as configured. */
    public NewTopic topic(String name, int partitions) {
        return TopicBuilder.name(name)
                .partitions(partitions)
                .replicas(replicationFactor)
                .config(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas))
                .build();
    }

    /** A dead-letter topic: one partition (its records are few and read by operators), replicated like the rest. */
    public NewTopic deadLetterTopic(String name) {
        return topic(name, 1);
    }
}
