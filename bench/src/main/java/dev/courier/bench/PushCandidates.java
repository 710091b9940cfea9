package dev.courier.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.courier.common.Topics;

/**
 * The push candidates the inbox writer publishes to {@code courier.push} from the moment this is created: for each,
 * when its inbox batch committed ({@code committedAt}), the start of the push latency. Reads with no consumer group,
 * so it takes nothing from the push-worker.
 */
final class PushCandidates implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KafkaConsumer<String, String> consumer;

    PushCandidates(String bootstrap) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(Topics.PUSH)
                .forEach(partition -> partitions.add(new TopicPartition(Topics.PUSH, partition.partition())));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /** {@code committedAt} (epoch milliseconds) by {@code "<userId> <messageId>"}, up to the topic's end as of now. */
    Map<String, Long> readCommittedAt() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        Map<String, Long> committedAt = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())
                && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                JsonNode candidate = JSON.readTree(record.value());
                committedAt.put(
                        candidate.path("userId").asString("") + " "
                                + candidate.path("messageId").asString(""),
                        candidate.path("committedAt").asLong());
            }
        }
        return committedAt;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
