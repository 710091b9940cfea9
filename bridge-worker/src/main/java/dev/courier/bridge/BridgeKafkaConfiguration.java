package dev.courier.bridge;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The worker's consumer error policy: envelopes that can never be delivered are routed to the dead-letter topic by the
 * listeners themselves ({@link DeadLetters}); anything that reaches this handler is a passing failure (database or
 * Kafka down) and is retried with growing pauses, without committing offsets, for as long as it takes.
 */
@Configuration(proxyBeanMethods = false)
class BridgeKafkaConfiguration {

    @Bean
    DefaultErrorHandler errorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(10_000);
        return new DefaultErrorHandler(backOff);
    }
}
