package dev.courier.bridge;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import dev.courier.common.Topics;
import dev.courier.ops.KafkaTopicsProperties;

/** Creates the topics of every configured system (operators may create them beforehand). */
@Configuration(proxyBeanMethods = false)
class BridgeTopicsConfiguration {

    @Bean
    KafkaAdmin.NewTopics bridgeTopics(BridgeProperties properties, KafkaTopicsProperties settings) {
        return new KafkaAdmin.NewTopics(topics(properties, settings).toArray(NewTopic[]::new));
    }

    /** Every topic the worker reads or writes, with a dead-letter topic for each topic it reads. */
    static List<NewTopic> topics(BridgeProperties properties, KafkaTopicsProperties settings) {
        List<NewTopic> topics = new ArrayList<>();
        // written by the fanout-worker, which declares it too: with the partitions of courier.conversations
        topics.add(settings.topic(Topics.EXPANDED, settings.conversationPartitions()));
        // where outbound sends a record of courier.expanded it cannot decode (the fanout-worker declares it too)
        topics.add(settings.deadLetterTopic(Topics.deadLetter(Topics.EXPANDED)));
        for (String system : properties.systems().keySet()) {
            topics.add(settings.topic(Topics.bridgeIn(system), settings.bridgePartitions()));
            topics.add(settings.deadLetterTopic(Topics.deadLetter(Topics.bridgeIn(system))));
            topics.add(settings.topic(Topics.bridgeOut(system), settings.bridgePartitions()));
        }
        return topics;
    }
}
