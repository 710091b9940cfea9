package dev.courier.ops;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * What every service shares: the clock, the scheduler and the executor of its background work ({@link Background}),
 * and Kafka in its health. Adds Kafka to every service's health (Spring Boot already reports the database and, where it is used through
 * Spring Data, Redis). Services expose {@code /actuator/health} (with {@code /liveness} and {@code /readiness}
 * groups) and {@code /actuator/prometheus}. Services that use Kafka also get the one set of topic settings,
 * {@link KafkaTopicsProperties}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
public class OpsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Timers and periodic jobs; long work is handed to {@link Background#EXECUTOR} from there. */
    @Bean(name = Background.SCHEDULER)
    ThreadPoolTaskScheduler courierScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(2);
        scheduler.setThreadNamePrefix("courier-scheduler-");
        scheduler.setDaemon(true);
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    @Bean(name = Background.EXECUTOR, destroyMethod = "shutdownNow")
    ExecutorService courierExecutor() {
        return Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("courier-task-", 0).factory());
    }

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
    static class KafkaTopicsConfiguration {}
}
