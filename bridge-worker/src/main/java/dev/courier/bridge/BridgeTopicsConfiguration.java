package dev.courier.bridge;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

import dev.courier.common.Topics;

/** Creates the topics of every configured system (operators may create them beforehand). */
@Configuration(proxyBeanMethods = false)
class BridgeTopicsConfiguration {

    @Bean
    KafkaAdmin.NewTopics bridgeTopics(BridgeProperties properties) {
        List<NewTopic> topics = new ArrayList<>();
        // written by the fanout-worker, which declares it too: with the partitions of courier.conversations
        topics.add(TopicBuilder.name(Topics.EXPANDED).partitions(properties.conversationPartitions()).build());
        for (String system : properties.systems().keySet()) {
            topics.add(TopicBuilder.name(Topics.bridgeIn(system)).partitions(properties.partitions()).build());
            topics.add(TopicBuilder.name(Topics.deadLetter(Topics.bridgeIn(system))).partitions(1).build());
            topics.add(TopicBuilder.name(Topics.bridgeOut(system)).partitions(properties.partitions()).build());
        }
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
    }
}
