package dev.courier.sync;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

import dev.courier.common.Presence;

/**
 * Which devices hold a live stream or long poll on this instance, told to every other service through Redis
 * ({@link Presence}): the push-worker pushes only to devices without one. A device's key is set when its first stream
 * or long poll here begins, refreshed every {@code refresh} while one is held (its expiry is twice that, so an instance
 * that dies leaves no device present for long), and, when the last one ends, deleted (a stream) or left to expire after
 * the long poll grace (a long poll: the client polls again at once, and a push in between would be one too many).
 * Deleting and shortening touch only a key this instance wrote, so another instance's stream of the same device keeps
 * it (until that instance's next refresh at worst).
 * <p>
 * Presence is a hint: no command waits, and when Redis is unreachable they fail at once and are counted in
 * {@code courier.sync.presence.failures}; keys then expire and devices look offline, which costs extra pushes, never a
 * missed one. Every held key is written again at the next refresh after Redis returns.
 */
public class DevicePresence implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DevicePresence.class);

    /** Deletes the key ({@code ARGV[2]} 0) or sets its expiry, if this instance wrote it. */
    private static final String RELEASE = """
            if redis.call('get', KEYS[1]) == ARGV[1] then
              if ARGV[2] == '0' then return redis.call('del', KEYS[1]) end
              return redis.call('pexpire', KEYS[1], ARGV[2])
            end
            return 0
            """;

    private final RedisClient client;

    private final String instance = UUID.randomUUID().toString();

    private final Duration refresh;

    private final Duration ttl;

    private final Duration longPollGrace;

    private final TaskScheduler scheduler;

    private final Clock clock;

    /** The streams and long polls held here, by presence key. */
    private final Map<String, Holders> held = new ConcurrentHashMap<>();

    private final Counter failures;

    private volatile @Nullable StatefulRedisConnection<String, String> connection;

    private volatile @Nullable ScheduledFuture<?> refresher;

    private volatile long lastConnectAttempt;

    private volatile long lastWarned;

    DevicePresence(
            String redisUrl,
            SyncProperties.Presence settings,
            TaskScheduler scheduler,
            Clock clock,
            MeterRegistry meters) {
        this.refresh = settings.refresh();
        this.ttl = settings.refresh().multipliedBy(2);
        this.longPollGrace = settings.longPollGrace();
        this.scheduler = scheduler;
        this.clock = clock;
        this.client = RedisClient.create(RedisURI.create(redisUrl));
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500)))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofMillis(500))
                        .build())
                .build());
        this.failures = meters.counter("courier.sync.presence.failures");
        Gauge.builder("courier.sync.presence.devices", held, Map::size).register(meters);
    }

    /** What holds a device present here: its streams and its long polls. */
    private record Holders(int streams, int polls) {

        Holders plus(boolean longPoll) {
            return longPoll ? new Holders(streams, polls + 1) : new Holders(streams + 1, polls);
        }

        Holders minus(boolean longPoll) {
            return longPoll ? new Holders(streams, polls - 1) : new Holders(streams - 1, polls);
        }

        boolean none() {
            return streams <= 0 && polls <= 0;
        }
    }

    /** A stream or long poll of a device, held until closed (closing twice is harmless). */
    public final class Hold implements AutoCloseable {

        private final String key;

        private final boolean longPoll;

        private boolean closed;

        private Hold(String key, boolean longPoll) {
            this.key = key;
            this.longPoll = longPoll;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                release(key, longPoll);
            }
        }
    }

    /** The device holds a stream ({@code longPoll} false) or a long poll here from now until the hold is closed. */
    public Hold hold(String userId, String deviceId, boolean longPoll) {
        String key = Presence.key(userId, deviceId);
        // inside compute: the commands of one key reach Redis in the order the holds changed
        held.compute(key, (k, holders) -> {
            if (holders == null) {
                command(redis -> redis.set(k, instance, SetArgs.Builder.px(ttl.toMillis())));
                return new Holders(0, 0).plus(longPoll);
            }
            return holders.plus(longPoll);
        });
        return new Hold(key, longPoll);
    }

    private void release(String key, boolean longPoll) {
        held.computeIfPresent(key, (k, holders) -> {
            Holders left = holders.minus(longPoll);
            if (!left.none()) {
                return left;
            }
            long expiry = longPoll ? Math.max(1, longPollGrace.toMillis()) : 0;
            command(redis ->
                    redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {k}, instance, Long.toString(expiry)));
            return null;
        });
    }

    /** Whether the device holds a stream or long poll here now. */
    boolean isHeldHere(String userId, String deviceId) {
        return held.containsKey(Presence.key(userId, deviceId));
    }

    @FunctionalInterface
    private interface Command {

        CompletionStage<?> send(RedisAsyncCommands<String, String> redis);
    }

    /** Sends the command without waiting; a failure (Redis away) is counted, never thrown. */
    private void command(Command command) {
        StatefulRedisConnection<String, String> open = connection;
        if (open == null) {
            failed(null);
            return;
        }
        try {
            command.send(open.async()).whenComplete((ok, failure) -> {
                if (failure != null) {
                    failed(failure);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(@Nullable Throwable failure) {
        failures.increment();
        long now = clock.millis();
        if (now - lastWarned >= 60_000) {
            lastWarned = now;
            log.warn(
                    "Presence not written to Redis (devices may get extra pushes until it is back): {}",
                    failure == null ? "not connected" : failure.toString());
        }
    }

    /** Writes every held key again with a fresh expiry; connects first if there is no connection yet. */
    private void refreshAll() {
        if (connection == null) {
            connect();
        }
        for (String key : held.keySet()) {
            held.computeIfPresent(key, (k, holders) -> {
                command(redis -> redis.set(k, instance, SetArgs.Builder.px(ttl.toMillis())));
                return holders;
            });
        }
    }

    private synchronized void connect() {
        long now = clock.millis();
        if (connection != null || now - lastConnectAttempt < 1000) {
            return;
        }
        lastConnectAttempt = now;
        try {
            connection = client.connect();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void start() {
        refresher = scheduler.scheduleWithFixedDelay(this::refreshAll, refresh);
        // the first connection off the caller's thread, at once
        scheduler.schedule(this::connect, clock.instant());
    }

    @Override
    public boolean isRunning() {
        return refresher != null;
    }

    /** Stops refreshing and takes this instance's devices out of Redis (after the web server stopped). */
    @Override
    public void stop() {
        ScheduledFuture<?> running = refresher;
        if (running != null) {
            running.cancel(false);
            refresher = null;
        }
        for (String key : held.keySet()) {
            held.computeIfPresent(key, (k, holders) -> {
                command(redis -> redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {k}, instance, "0"));
                return null;
            });
        }
        StatefulRedisConnection<String, String> open = connection;
        if (open != null) {
            connection = null;
            open.closeAsync();
        }
    }

    @Override
    public int getPhase() {
        return 0;
    }

    @Override
    public void destroy() {
        client.shutdownAsync();
    }
}
