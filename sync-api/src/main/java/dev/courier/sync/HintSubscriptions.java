package dev.courier.sync;

import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

import dev.courier.common.Hints;

/**
 * This instance's subscriptions to push hints ({@code courier:hint:<userId>}). A user's channel is subscribed while at
 * least one stream or long poll of the user is held here and unsubscribed after the last one ends, so each sync-api
 * instance receives only the hints of its own clients and nothing polls the database.
 * <p>
 * Hints are hints: when Redis is down, subscriptions fail fast and callers fall back to their timeouts; when it returns,
 * every channel still wanted is subscribed again. A subscribe or unsubscribe that Redis refused or never got is tried
 * again every 2 s until it holds or is no longer wanted, so a channel wanted here is subscribed in the end and a
 * channel no longer wanted does not stay subscribed. Every command of one user's channel is written inside
 * {@code listeners.compute} for that user, so they reach Redis in the order the wishes changed.
 */
public class HintSubscriptions implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(HintSubscriptions.class);

    private final RedisClient client;

    private final Map<String, Set<Consumer<Hint>>> listeners = new ConcurrentHashMap<>();

    /** Users whose channel is wanted but whose last subscribe failed: subscribed again by {@link #retry()}. */
    private final Set<String> unconfirmed = ConcurrentHashMap.newKeySet();

    /** Users whose channel is no longer wanted but whose last unsubscribe failed: unsubscribed by {@link #retry()}. */
    private final Set<String> unwanted = ConcurrentHashMap.newKeySet();

    /** Runs the re-subscription after a (re)connection off Lettuce's event loop ({@code Runnable::run} in tests). */
    private final Executor executor;

    private volatile @Nullable StatefulRedisPubSubConnection<String, String> connection;

    private volatile long lastConnectAttempt;

    /** Warned about Redis being unreachable since the last successful connection: once per outage, not every try. */
    private volatile boolean warned;

    /**
     * Connects (again) while Redis is unreachable, and retries failed subscribes and unsubscribes; once connected,
     * Lettuce itself handles later outages.
     */
    private final TaskScheduler scheduler;

    private final Clock clock;

    private volatile @Nullable ScheduledFuture<?> reconnector;

    HintSubscriptions(String redisUrl, Executor executor, TaskScheduler scheduler, Clock clock) {
        this.executor = executor;
        this.scheduler = scheduler;
        this.clock = clock;
        this.client = RedisClient.create(RedisURI.create(redisUrl));
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofMillis(500))
                        .build())
                .build());
        this.client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
                // after an outage, subscribe again to what is wanted now (Lettuce only restores what succeeded);
                // Lettuce restores before it tells listeners, so an unsubscribe retried now comes after its restore
                executor.execute(HintSubscriptions.this::resubscribeAll);
            }
        });
    }

    /** Connects now (and again whenever Redis was unreachable), so health reports Redis itself. */
    @Override
    public void start() {
        reconnector = scheduler.scheduleWithFixedDelay(
                () -> {
                    if (connection == null) {
                        connection();
                    } else if (connected()) {
                        retry();
                    }
                },
                Duration.ofSeconds(2));
    }

    @Override
    public boolean isRunning() {
        return reconnector != null;
    }

    /** A hint: the user's inbox head reached {@code seq}, or ({@code seq < 0}) their account or contacts changed. */
    public record Hint(String userId, long seq, String what) {

        boolean isInbox() {
            return seq >= 0;
        }
    }

    /** A held subscription; {@link #ready()} completes once Redis confirmed it, or exceptionally when it could not. */
    public record Subscription(CompletableFuture<Void> ready, Runnable cancel) implements AutoCloseable {

        @Override
        public void close() {
            cancel.run();
        }
    }

    public Subscription subscribe(String userId, Consumer<Hint> listener) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        listeners.compute(userId, (user, current) -> {
            Set<Consumer<Hint>> set = current != null ? current : new CopyOnWriteArraySet<>();
            set.add(listener);
            // commands are written in call order on the one connection, and compute() serialises them per user
            subscribeChannel(user).whenComplete((ok, failure) -> {
                if (failure == null) {
                    ready.complete(null);
                } else {
                    ready.completeExceptionally(failure);
                }
            });
            return set;
        });
        return new Subscription(
                ready,
                () -> listeners.computeIfPresent(userId, (user, set) -> {
                    set.remove(listener);
                    if (set.isEmpty()) {
                        unsubscribeChannel(user);
                        return null;
                    }
                    return set;
                }));
    }

    /** Subscribes the user's channel; called inside {@code listeners.compute} for the user. */
    private CompletableFuture<Void> subscribeChannel(String userId) {
        return redisCommand(true, userId).whenComplete((ok, failure) -> {
            if (failure != null) {
                // tried again by retry() while still wanted then
                unconfirmed.add(userId);
            }
        });
    }

    /** Unsubscribes the user's channel; called inside {@code listeners.compute} for the user. */
    private void unsubscribeChannel(String userId) {
        redisCommand(false, userId).whenComplete((ok, failure) -> {
            if (failure != null) {
                // Lettuce restores a channel whose unsubscribe failed when it reconnects: tried again by retry()
                unwanted.add(userId);
            }
        });
    }

    /**
     * Subscribes again what is wanted but failed, and unsubscribes what is no longer wanted but failed; each under the
     * user's {@code compute}, so a wish that changed meanwhile wins. A command that fails again is retried next time.
     */
    private void retry() {
        for (String userId : unconfirmed) {
            unconfirmed.remove(userId);
            listeners.computeIfPresent(userId, (user, set) -> {
                subscribeChannel(user);
                return set;
            });
        }
        for (String userId : unwanted) {
            unwanted.remove(userId);
            listeners.compute(userId, (user, set) -> {
                if (set == null) {
                    unsubscribeChannel(user);
                }
                return set;
            });
        }
    }

    /** Whether the pub/sub connection to Redis is open now. */
    public boolean connected() {
        StatefulRedisPubSubConnection<String, String> pubSub = connection;
        return pubSub != null && pubSub.isOpen();
    }

    /** Users with at least one subscription here. */
    public int subscribedUsers() {
        return listeners.size();
    }

    /** Never connects (the reconnector does): it runs inside {@code compute} and must not wait on a network. */
    private CompletableFuture<Void> redisCommand(boolean subscribe, String userId) {
        StatefulRedisPubSubConnection<String, String> pubSub = connection;
        if (pubSub == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis is unavailable"));
        }
        try {
            return (subscribe
                            ? pubSub.async().subscribe(Hints.channel(userId))
                            : pubSub.async().unsubscribe(Hints.channel(userId)))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private @Nullable StatefulRedisPubSubConnection<String, String> connection() {
        StatefulRedisPubSubConnection<String, String> current = connection;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            long now = clock.millis();
            if (connection == null && now - lastConnectAttempt > 1000) {
                lastConnectAttempt = now;
                try {
                    StatefulRedisPubSubConnection<String, String> opened = client.connectPubSub();
                    opened.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            dispatch(channel, message);
                        }
                    });
                    connection = opened;
                    warned = false;
                    executor.execute(this::resubscribeAll);
                } catch (RuntimeException e) {
                    if (!warned) {
                        warned = true;
                        log.warn(
                                "Redis unavailable for push hints (long polls fall back to their timeout); "
                                        + "trying again every 2 s: {}",
                                e.toString());
                    }
                }
            }
            return connection;
        }
    }

    /** After a (re)connection: every channel wanted now is subscribed again, each under its user's compute. */
    private void resubscribeAll() {
        unconfirmed.addAll(listeners.keySet());
        retry();
    }

    private void dispatch(String channel, String message) {
        if (!channel.startsWith(Hints.CHANNEL_PREFIX)) {
            return;
        }
        String userId = channel.substring(Hints.CHANNEL_PREFIX.length());
        Set<Consumer<Hint>> set = listeners.get(userId);
        if (set == null) {
            return;
        }
        Hint hint;
        try {
            hint = new Hint(userId, Long.parseLong(message), Hints.INBOX);
        } catch (NumberFormatException e) {
            hint = new Hint(userId, -1, message);
        }
        for (Consumer<Hint> listener : set) {
            try {
                listener.accept(hint);
            } catch (RuntimeException e) {
                log.warn("Hint listener failed: {}", e.toString());
            }
        }
    }

    /** Stops reconnecting and closes the connection (after the web server stopped: its phase is higher). */
    @Override
    public void stop() {
        ScheduledFuture<?> running = reconnector;
        if (running != null) {
            running.cancel(false);
            reconnector = null;
        }
        StatefulRedisPubSubConnection<String, String> pubSub = connection;
        if (pubSub != null) {
            connection = null;
            pubSub.closeAsync();
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
