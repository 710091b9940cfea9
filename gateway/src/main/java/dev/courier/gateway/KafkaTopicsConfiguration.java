package dev.courier.gateway;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.courier.common.Topics;
import dev.courier.ops.KafkaTopicsProperties;

/** Creates the topic the gateway writes to when it does not exist yet (operators may create it beforehand). */
@Configuration(proxyBeanMethods = false)
class KafkaTopicsConfiguration {

    @Bean
    NewTopic conversationsTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.CONVERSATIONS, topics.conversationPartitions());
    }
}
