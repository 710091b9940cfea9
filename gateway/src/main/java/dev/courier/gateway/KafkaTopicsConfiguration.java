package dev.courier.gateway;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

import dev.courier.common.Topics;

/** Creates the topic the gateway writes to when it does not exist yet (operators may create it beforehand). */
@Configuration(proxyBeanMethods = false)
class KafkaTopicsConfiguration {

    @Bean
    NewTopic conversationsTopic(GatewayProperties properties) {
        return TopicBuilder.name(Topics.CONVERSATIONS).partitions(properties.conversationPartitions()).build();
    }
}
