package dev.courier.fanout.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.courier.common.Hints;
import dev.courier.ops.BestEffortQueue;

/**
 * Publishes push hints, {@code PUBLISH courier:hint:<userId> <headSeq>}, after an inbox batch committed.
 * <p>
 * Hints are hints (DESIGN.md, principle 6): they are published off the writer's thread, pipelined, and dropped when
 * Redis is slow or down, so Redis can never stall or fail the inbox writer. A client that misses a hint learns of the
 * new entries at its next sync or long poll. Meters: {@code courier.fanout.hints{result}} (hints) and
 * {@code courier.fanout.hints.queued} (batches waiting), see {@link BestEffortQueue}.
 */
@Component
class InboxHintPublisher implements DisposableBean {

    private final StringRedisTemplate redis;

    /** One thread keeps hints of one user in order; a full queue means Redis cannot keep up, so hints are dropped. */
    private final BestEffortQueue queue;

    InboxHintPublisher(StringRedisTemplate redis, MeterRegistry meters, Clock clock) {
        this.redis = redis;
        this.queue = new BestEffortQueue(
                "courier.fanout.hints",
                "Push hints not published (clients will see the data at their next sync)",
                1024,
                meters,
                clock);
    }

    // a pipelined callback must return null (its results come from the pipeline)
    @SuppressWarnings("NullAway")
    void publish(Map<String, Long> heads, Set<String> conversationsChanged, Set<String> groupsChanged) {
        if (heads.isEmpty() && conversationsChanged.isEmpty() && groupsChanged.isEmpty()) {
            return;
        }
        queue.submit(
                heads.size() + conversationsChanged.size() + groupsChanged.size(),
                () -> redis.executePipelined((RedisCallback<Object>) connection -> {
                    publishAll(connection, heads, conversationsChanged, groupsChanged);
                    return null;
                }));
    }

    private static void publishAll(
            RedisConnection connection,
            Map<String, Long> heads,
            Set<String> conversationsChanged,
            Set<String> groupsChanged) {
        heads.forEach((user, seq) -> connection.publish(
                Hints.channel(user).getBytes(StandardCharsets.UTF_8),
                Long.toString(seq).getBytes(StandardCharsets.US_ASCII)));
        byte[] conversations = Hints.CONVERSATIONS.getBytes(StandardCharsets.US_ASCII);
        conversationsChanged.forEach(
                user -> connection.publish(Hints.channel(user).getBytes(StandardCharsets.UTF_8), conversations));
        byte[] groups = Hints.GROUPS.getBytes(StandardCharsets.US_ASCII);
        groupsChanged.forEach(user -> connection.publish(Hints.channel(user).getBytes(StandardCharsets.UTF_8), groups));
    }

    @Override
    public void destroy() {
        queue.close();
    }
}
