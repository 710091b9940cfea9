package dev.courier.fanout.inbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.courier.common.Hints;

/**
 * Publishes push hints, {@code PUBLISH courier:hint:<userId> <headSeq>}, after an inbox batch committed.
 * <p>
 * Hints are hints (DESIGN.md, principle 6): they are published off the writer's thread, pipelined, and dropped when
 * Redis is slow or down, so Redis can never stall or fail the inbox writer. A client that misses a hint learns of the
 * new entries at its next sync or long poll.
 */
@Component
class HintPublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(HintPublisher.class);

    private final StringRedisTemplate redis;

    /** One thread keeps hints of one user in order; a full queue means Redis cannot keep up, so hints are dropped. */
    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024), Thread.ofPlatform().name("courier-hints").daemon().factory(),
            new ThreadPoolExecutor.DiscardPolicy());

    private volatile long lastFailureLog;

    private final MeterRegistry meters;

    HintPublisher(StringRedisTemplate redis, MeterRegistry meters) {
        this.redis = redis;
        this.meters = meters;
        Gauge.builder("courier.fanout.hints.queued", executor, e -> e.getQueue().size()).register(meters);
    }

    void publish(Map<String, Long> heads) {
        if (heads.isEmpty()) {
            return;
        }
        if (executor.getQueue().remainingCapacity() == 0) {
            meters.counter("courier.fanout.hints", "result", "dropped").increment(heads.size());
            return;
        }
        executor.execute(() -> {
            try {
                redis.executePipelined((RedisCallback<Object>) connection -> {
                    publishAll(connection, heads);
                    return null;
                });
                meters.counter("courier.fanout.hints", "result", "published").increment(heads.size());
            } catch (RuntimeException e) {
                meters.counter("courier.fanout.hints", "result", "failed").increment(heads.size());
                long now = System.currentTimeMillis();
                if (now - lastFailureLog > 10_000) {
                    lastFailureLog = now;
                    log.warn("Push hints not published (clients will see the data at their next sync): {}",
                            e.toString());
                }
            }
        });
    }

    private static void publishAll(RedisConnection connection, Map<String, Long> heads) {
        heads.forEach((user, seq) -> connection.publish(Hints.channel(user).getBytes(StandardCharsets.UTF_8),
                Long.toString(seq).getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void destroy() {
        executor.shutdown();
    }
}
