package dev.courier.fanout;

import java.nio.charset.StandardCharsets;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.courier.common.DeadLetterHeaders;
import dev.courier.common.ErrorCode;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.ops.KafkaTopicsProperties;

/**
 * The worker's one consumer error policy (DESIGN.md, principle 7). A record that can never be processed goes to
 * {@code <topic>.dlt} at once and its partition moves on; the dead letter keeps the record's key and value and says why
 * in the headers {@code courier.dlt.reason} (an error code of PROTOCOL.md, such as {@code invalid_request},
 * {@code not_member}, {@code not_found}, {@code conflict}), {@code courier.dlt.detail} and {@code courier.dlt.source}
 * ({@code topic/partition/offset}). Anything else (database or Kafka down) is retried with growing pauses for as long as
 * it takes, without committing offsets, so an outage delays delivery and loses nothing.
 */
@Configuration(proxyBeanMethods = false)
class FanoutKafkaConfiguration {

    /**
     * Both stages commit their offsets without waiting for the broker's answer: the consumer polls the next batch at
     * once instead of after a round trip per batch. Losing an asynchronous commit (a crash, a rebalance) only
     * redelivers batches already written, and both stages are idempotent: the expansion publishes the same inbox
     * records again, the inbox writer recognises entries already present and reads that never go back (DESIGN.md,
     * "idempotent everywhere"). A later commit of the same partition supersedes a failed one.
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>>
            asynchronousOffsetCommits() {
        return container -> container.getContainerProperties().setSyncCommits(false);
    }

    @Bean
    DefaultErrorHandler errorHandler(
            KafkaOperations<String, String> kafka, FanoutProperties properties, MeterRegistry meters) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(kafka, (record, exception) -> {
            meters.counter(
                            "courier.fanout.dlt",
                            "topic",
                            record.topic(),
                            "reason",
                            reason(exception).code())
                    .increment();
            return new TopicPartition(Topics.deadLetter(record.topic()), -1);
        });
        recoverer.setHeadersFunction((record, exception) -> {
            Headers headers = new RecordHeaders();
            headers.add(DeadLetterHeaders.REASON, bytes(reason(exception).code()));
            headers.add(DeadLetterHeaders.DETAIL, bytes(detail(exception)));
            headers.add(
                    DeadLetterHeaders.SOURCE, bytes(record.topic() + "/" + record.partition() + "/" + record.offset()));
            return headers;
        });
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(properties.retryMaxInterval().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(Records.InvalidRecordException.class);
        return handler;
    }

    private static Records.@Nullable InvalidRecordException invalid(Exception exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof Records.InvalidRecordException invalid) {
                return invalid;
            }
        }
        return null;
    }

    private static ErrorCode reason(Exception exception) {
        Records.InvalidRecordException invalid = invalid(exception);
        return invalid != null ? invalid.reason() : ErrorCode.INVALID_REQUEST;
    }

    private static String detail(Exception exception) {
        Throwable invalid = invalid(exception);
        Throwable cause = invalid != null ? invalid : exception.getCause() != null ? exception.getCause() : exception;
        return String.valueOf(cause.getMessage());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
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
    NewTopic inboxGroupsTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.INBOX_GROUPS, topics.inboxPartitions());
    }

    @Bean
    NewTopic expandedTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.EXPANDED, topics.conversationPartitions());
    }

    /** Push candidates of the inbox writer, read by the push-worker (which declares it too). */
    @Bean
    NewTopic pushTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.PUSH, topics.pushPartitions());
    }

    @Bean
    NewTopic conversationsDeadLetterTopic(KafkaTopicsProperties topics) {
        return topics.deadLetterTopic(Topics.deadLetter(Topics.CONVERSATIONS));
    }

    @Bean
    NewTopic inboxDeadLetterTopic(KafkaTopicsProperties topics) {
        return topics.deadLetterTopic(Topics.deadLetter(Topics.INBOX));
    }

    @Bean
    NewTopic inboxGroupsDeadLetterTopic(KafkaTopicsProperties topics) {
        return topics.deadLetterTopic(Topics.deadLetter(Topics.INBOX_GROUPS));
    }

    /** Written by the bridge-worker (outbound reads courier.expanded), which declares it too. */
    @Bean
    NewTopic expandedDeadLetterTopic(KafkaTopicsProperties topics) {
        return topics.deadLetterTopic(Topics.deadLetter(Topics.EXPANDED));
    }
}
