package dev.courier.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;
import dev.courier.common.Topics;

/**
 * What the gateway wrote to {@code courier.conversations}, read by a real consumer of every partition from where the
 * log ended when this was created. Records are kept in the order read (per partition: the order of the log).
 */
public final class ConversationLog implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(15);

    /** A record of the log: its place, its key and its value. */
    public record Entry(int partition, long offset, String key, JsonNode value) {

        public String type() {
            return value.path("type").asString();
        }
    }

    private final KafkaConsumer<String, String> consumer;

    private final List<Entry> read = new ArrayList<>();

    ConversationLog(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CONVERSATIONS).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // the end as of now, not as of the first poll
        partitions.forEach(consumer::position);
    }

    /** The first record matching {@code match}, waiting for it. */
    public synchronized Entry await(Predicate<Entry> match) {
        return Awaitility.await()
                .atMost(WAIT)
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(10))
                .until(() -> poll(match), found -> found != null);
    }

    /** The record of the message, waiting for it. */
    public Entry message(String messageId) {
        return await(entry -> entry.type().equals("message")
                && entry.value().path("messageId").asString().equals(messageId));
    }

    /** Every record read so far (after reading what is there now) that matches. */
    public synchronized List<Entry> all(Predicate<Entry> match) {
        // up to the end of the log as of now: one poll may return only part of what is there
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        Awaitility.await()
                .atMost(WAIT)
                .pollInSameThread()
                .pollInterval(Duration.ZERO)
                .until(() -> {
                    poll(entry -> false);
                    return end.entrySet().stream()
                            .allMatch(partition -> consumer.position(partition.getKey()) >= partition.getValue());
                });
        return read.stream().filter(match).toList();
    }

    /** The records of the conversation read so far, in the order of the log. */
    public List<Entry> conversation(String conversation) {
        return all(entry -> entry.key().equals(conversation));
    }

    private Entry poll(Predicate<Entry> match) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
            Entry entry =
                    new Entry(record.partition(), record.offset(), record.key(), Json.MAPPER.readTree(record.value()));
            read.add(entry);
        }
        return read.stream().filter(match).findFirst().orElse(null);
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
