package dev.courier.gateway;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.courier.common.Hints;
import dev.courier.testinfra.CourierInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's {@link ChangeHintPublisher} while Redis stalls (every command held for seconds, as a Redis that is down but
 * still accepts connections): hints wait in a bounded queue, the rest are dropped at once and counted, and those queued
 * are published once Redis answers again.
 */
class ChangeHintPublisherIntegrationTests {

    private static final int HINTS = 5_000;

    @Test
    void hintsDuringARedisStallAreQueuedBoundedlyDroppedAndCountedAndTheQueuedOnesArrive() {
        String redisUrl = CourierInfrastructure.shared().redisUrl();
        URI redis = URI.create(redisUrl);
        String userId = "stall-" + Long.toString(System.nanoTime(), 36);
        RedisClient client = RedisClient.create(redisUrl);
        AtomicInteger received = new AtomicInteger();
        try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
                AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.incrementAndGet();
                }
            });
            subscriber.sync().subscribe(Hints.channel(userId));
            context.registerBean(
                    LettuceConnectionFactory.class,
                    () -> new LettuceConnectionFactory(
                            new RedisStandaloneConfiguration(redis.getHost(), redis.getPort()),
                            LettuceClientConfiguration.builder()
                                    .commandTimeout(Duration.ofMillis(500))
                                    .build()));
            context.registerBean(
                    StringRedisTemplate.class,
                    () -> new StringRedisTemplate(context.getBean(LettuceConnectionFactory.class)));
            context.registerBean(MeterRegistry.class, SimpleMeterRegistry::new);
            context.registerBean(Clock.class, Clock::systemUTC);
            context.register(ChangeHintPublisher.class);
            context.refresh();
            ChangeHintPublisher hints = context.getBean(ChangeHintPublisher.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            hints.changed(userId, Hints.CONTACTS);
            await().until(() -> received.get() == 1);

            client.connect().sync().clientPause(3_000);
            for (int i = 0; i < HINTS; i++) {
                hints.changed(userId, Hints.CONTACTS);
            }

            assertThat(meters.get("courier.gateway.hints.queued").gauge().value())
                    .isBetween(1.0, 1024.0);
            assertThat(count(meters, "dropped")).isGreaterThan(HINTS / 2.0);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> count(meters, "published") + count(meters, "failed") + count(meters, "dropped")
                            == HINTS + 1);
            assertThat(meters.get("courier.gateway.hints.queued").gauge().value())
                    .isZero();
            assertThat(count(meters, "published")).isGreaterThan(1);
            await().until(() -> received.get() >= count(meters, "published"));
        } finally {
            client.shutdown();
        }
    }

    private static double count(MeterRegistry meters, String result) {
        var counter = meters.find("courier.gateway.hints").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }
}
