package dev.courier.fanout;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.ops.KafkaTopicsProperties;

/**
 * The worker's one consumer error policy (DESIGN.md, principle 7). A record that can never be processed goes to
 * {@code <topic>.dlt} at once, with the reason in the {@code kafka_dlt-exception-message} header, and its partition
 * moves on. Anything else (database or Kafka down) is retried with growing pauses for as long as it takes, without
 * committing offsets, so an outage delays delivery and loses nothing.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    @Bean
    DefaultErrorHandler errorHandler(KafkaOperations<String, String> kafka, FanoutProperties properties,
            MeterRegistry meters) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(kafka, (record, exception) -> {
            Throwable cause = exception.getCause() != null ? exception.getCause() : exception;
            String reason = cause.getMessage() != null && cause.getMessage().contains(":")
                    ? cause.getMessage().substring(0, cause.getMessage().indexOf(':')) : "invalid";
            meters.counter("courier.fanout.dlt", "topic", record.topic(), "reason",
                    reason.matches("[a-z_]{1,32}") ? reason : "invalid").increment();
            return new TopicPartition(Topics.deadLetter(record.topic()), -1);
        });
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(properties.retryMaxInterval().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(Records.InvalidRecordException.class);
        return handler;
    }

    @Bean
    NewTopic conversationsTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.CONVERSATIONS, topics.conversationPartitions());
    }

    @Bean
    NewTopic inboxTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.INBOX, topics.inboxPartitions());
    }

    @Bean
    NewTopic conversationsDeadLetterTopic(KafkaTopicsProperties topics) {
        return topics.deadLetterTopic(Topics.deadLetter(Topics.CONVERSATIONS));
    }

    @Bean
    NewTopic inboxDeadLetterTopic(KafkaTopicsProperties topics) {
        return topics.deadLetterTopic(Topics.deadLetter(Topics.INBOX));
    }
}
