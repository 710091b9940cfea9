package dev.courier.sync;

import java.time.Clock;
import java.util.concurrent.Executor;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

import dev.courier.common.SyncKeyCodec;
import dev.courier.ops.Background;

@Configuration(proxyBeanMethods = false)
class SyncConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SyncConfiguration.class);

    @Bean
    SyncKeyCodec syncKeyCodec(SyncProperties properties) {
        if (SyncProperties.DEVELOPMENT_SECRET.equals(properties.keySecret())) {
            log.warn("courier.sync.key-secret is the development default: set a secret of your own in production");
        }
        return new SyncKeyCodec(properties.keySecret());
    }

    @Bean
    HintSubscriptions hintSubscriptions(
            @Value("${spring.data.redis.url}") String redisUrl,
            @Qualifier(Background.EXECUTOR) Executor executor,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            Clock clock) {
        return new HintSubscriptions(redisUrl, executor, scheduler, clock);
    }

    @Bean
    DevicePresence devicePresence(
            @Value("${spring.data.redis.url}") String redisUrl,
            SyncProperties properties,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            Clock clock,
            MeterRegistry meters) {
        return new DevicePresence(redisUrl, properties.presence(), scheduler, clock, meters);
    }
}
