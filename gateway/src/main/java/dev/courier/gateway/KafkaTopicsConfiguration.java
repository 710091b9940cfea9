package dev.courier.gateway;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.courier.common.Topics;
import dev.courier.ops.KafkaTopicsProperties;

/** Creates the topics the gateway writes to when they do not exist yet (operators may create them beforehand). */
@Configuration(proxyBeanMethods = false)
class KafkaTopicsConfiguration {

    @Bean
    NewTopic conversationsTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.CONVERSATIONS, topics.conversationPartitions());
    }

    /** For a user's own conversation settings (a mute), written to their inbox partition. */
    @Bean
    NewTopic inboxTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.INBOX, topics.inboxPartitions());
    }
}
