package dev.courier.ops;

import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Best-effort work off the caller's thread, such as publishing push hints: tasks run in order on one thread behind a
 * bounded queue, and a task that finds the queue full is dropped at once. A slow or unreachable dependency therefore
 * never holds up the caller and never piles up threads; what it costs is counted.
 * <p>
 * Meters, for a queue named {@code <name>}: {@code <name>{result=published|failed|dropped}} counts the items of the
 * tasks (a task of many hints counts each), {@code <name>.queued} is the number of tasks waiting. A failed task is
 * logged at WARN at most every 10 s.
 */
public final class BestEffortQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BestEffortQueue.class);

    private static final long WARN_INTERVAL_MILLIS = 10_000;

    private final ThreadPoolExecutor executor;

    private final String failureMessage;

    private final Counter published;

    private final Counter failed;

    private final Counter dropped;

    private final Clock clock;

    private volatile long lastFailureLog;

    /**
     * @param name the meter name, such as {@code courier.gateway.hints}; its thread is named after it
     * @param failureMessage what a failure means, logged before the exception
     * @param capacity how many tasks may wait
     */
    public BestEffortQueue(String name, String failureMessage, int capacity, MeterRegistry meters, Clock clock) {
        this.failureMessage = failureMessage;
        this.clock = clock;
        this.executor = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(capacity),
                Thread.ofPlatform().name(name.replace('.', '-')).daemon().factory(),
                new ThreadPoolExecutor.AbortPolicy());
        this.published = meters.counter(name, "result", "published");
        this.failed = meters.counter(name, "result", "failed");
        this.dropped = meters.counter(name, "result", "dropped");
        Gauge.builder(name + ".queued", executor, e -> e.getQueue().size()).register(meters);
    }

    /** Runs {@code task} after those already queued, or drops it now when the queue is full (or closed). */
    public void submit(int items, Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                    published.increment(items);
                } catch (RuntimeException e) {
                    failed.increment(items);
                    long now = clock.millis();
                    if (now - lastFailureLog >= WARN_INTERVAL_MILLIS) {
                        lastFailureLog = now;
                        log.warn("{}: {}", failureMessage, e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            dropped.increment(items);
        }
    }

    /** Stops taking tasks; those queued are still run. */
    @Override
    public void close() {
        executor.shutdown();
    }
}
