package dev.courier.web;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Every heartbeat, pings each WebSocket of the service's {@link AuthenticatedSocketHandler}s and closes the idle ones
 * and those whose token expired. Runs from {@link #start()} to {@link #stop()} on the injected scheduler.
 */
final class SocketKeepAlive implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SocketKeepAlive.class);

    private final ObjectProvider<AuthenticatedSocketHandler> handlers;

    private final Duration heartbeat;

    private final TaskScheduler scheduler;

    private volatile @Nullable ScheduledFuture<?> task;

    SocketKeepAlive(ObjectProvider<AuthenticatedSocketHandler> handlers, Duration heartbeat, TaskScheduler scheduler) {
        this.handlers = handlers;
        this.heartbeat = heartbeat;
        this.scheduler = scheduler;
    }

    @Override
    public void start() {
        task = scheduler.scheduleAtFixedRate(
                this::keepAlive, scheduler.getClock().instant().plus(heartbeat), heartbeat);
    }

    private void keepAlive() {
        handlers.forEach(handler -> {
            try {
                handler.keepAlive();
            } catch (RuntimeException e) {
                log.warn("WebSocket keep-alive failed: {}", e.toString());
            }
        });
    }

    @Override
    public void stop() {
        ScheduledFuture<?> running = task;
        if (running != null) {
            running.cancel(false);
            task = null;
        }
    }

    @Override
    public boolean isRunning() {
        return task != null;
    }
}
