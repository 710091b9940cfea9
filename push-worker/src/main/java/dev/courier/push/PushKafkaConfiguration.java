package dev.courier.push;

import java.time.Duration;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.courier.common.Topics;
import dev.courier.ops.KafkaTopicsProperties;

/**
 * The worker's topics and its consumer error policy: records that cannot be decoded and pushes that failed for good go
 * to {@code courier.push.dlt} from the listener itself; what reaches the error handler is a passing failure (the
 * database or Kafka unavailable), retried with growing pauses without committing offsets.
 */
@Configuration(proxyBeanMethods = false)
class PushKafkaConfiguration {

    @Bean
    DefaultErrorHandler errorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(10_000);
        return new DefaultErrorHandler(backOff);
    }

    /** Written by the fanout-worker (which declares it too). */
    @Bean
    NewTopic pushTopic(KafkaTopicsProperties topics) {
        return topics.topic(Topics.PUSH, topics.pushPartitions());
    }

    @Bean
    NewTopic pushDeadLetterTopic(KafkaTopicsProperties topics) {
        return topics.deadLetterTopic(Topics.deadLetter(Topics.PUSH));
    }

    /**
     * A batch returns once its pushes are resolved, which may take the whole retry budget: the consumer's
     * {@code max.poll.interval.ms} must be longer, or the group would take its partitions away meanwhile.
     */
    @Bean
    InitializingBean pollIntervalCoversTheRetryBudget(Environment environment, PushProperties properties) {
        return () -> {
            long interval = environment.getProperty(
                    "spring.kafka.consumer.properties.max.poll.interval.ms", Long.class, 300_000L);
            Duration needed = properties
                    .retry()
                    .maxElapsed()
                    .plus(properties.retry().maxInterval())
                    .plus(properties.coalesce())
                    .plus(properties.webhook().timeout());
            if (interval <= needed.toMillis()) {
                throw new IllegalStateException("spring.kafka.consumer.properties.max.poll.interval.ms (" + interval
                        + ") must be longer than courier.push.retry.max-elapsed + max-interval + coalesce + the "
                        + "provider timeout (" + needed.toMillis() + " ms)");
            }
        };
    }
}
