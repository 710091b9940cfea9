package dev.courier.ops;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Adds Kafka to every service's health (Spring Boot already reports the database and, where it is used through
 * Spring Data, Redis). Services expose {@code /actuator/health} (with {@code /liveness} and {@code /readiness}
 * groups) and {@code /actuator/prometheus}. Services that use Kafka also get the one set of topic settings,
 * {@link KafkaTopicsProperties}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
public class OpsAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(KafkaAdmin.class)
    @ConditionalOnBean(KafkaAdmin.class)
    static class KafkaHealthConfiguration {

        @Bean(name = "kafkaHealthIndicator")
        KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin) {
            return new KafkaHealthIndicator(admin.getConfigurationProperties());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(TopicBuilder.class)
    @EnableConfigurationProperties(KafkaTopicsProperties.class)
    static class KafkaTopicsConfiguration {
    }
}
