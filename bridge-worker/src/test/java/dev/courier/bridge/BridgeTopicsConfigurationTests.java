package dev.courier.bridge;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import dev.courier.ops.KafkaTopicsProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** {@link BridgeTopicsConfiguration}: every topic the worker reads or writes, with its partitions. */
class BridgeTopicsConfigurationTests {

    @Test
    void declaresTheTopicsOfEverySystemAndADeadLetterTopicForEachTopicItReads() {
        BridgeProperties properties = new BridgeProperties(
                Map.of(
                        "weibo", new BridgeProperties.SystemSettings(List.of("*"), List.of("*")),
                        "wechat", new BridgeProperties.SystemSettings(List.of(), List.of())),
                DataSize.ofKilobytes(64),
                16_384);
        KafkaTopicsProperties settings = new KafkaTopicsProperties((short) 1, 1, 6, 8, 3, 8);

        List<NewTopic> topics = BridgeTopicsConfiguration.topics(properties, settings);

        assertThat(topics)
                .extracting(NewTopic::name, NewTopic::numPartitions)
                .containsExactlyInAnyOrder(
                        tuple("courier.expanded", 6),
                        tuple("courier.expanded.dlt", 1),
                        tuple("courier.bridge.in.weibo", 3),
                        tuple("courier.bridge.in.weibo.dlt", 1),
                        tuple("courier.bridge.out.weibo", 3),
                        tuple("courier.bridge.in.wechat", 3),
                        tuple("courier.bridge.in.wechat.dlt", 1),
                        tuple("courier.bridge.out.wechat", 3));
    }
}
