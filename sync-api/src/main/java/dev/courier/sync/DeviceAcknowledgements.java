package dev.courier.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.ops.Background;
import dev.courier.store.DeviceRepository;

/**
 * Device acknowledgements (the key each device last presented), written behind: a sync records its device's position
 * in memory and one batched write per interval stores every position that changed. Writing each one at once made
 * every sync, a read, also a database commit. An acknowledgement only holds retention back, so one stored late (or
 * lost with a crashed instance: the device's next sync records it again) can only make retention trim later, never
 * sooner. Retention flushes first; so does a shutdown.
 */
@Component
public class DeviceAcknowledgements implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeviceAcknowledgements.class);

    private record Device(String userId, String deviceId) {}

    private record Position(long seq, long at) {

        Position merge(Position other) {
            return new Position(Math.max(seq, other.seq), Math.max(at, other.at));
        }
    }

    private final Map<Device, Position> pending = new ConcurrentHashMap<>();

    private final DeviceRepository devices;

    private final TransactionTemplate transactions;

    private final TaskScheduler scheduler;

    private final Duration interval;

    private volatile @Nullable ScheduledFuture<?> flusher;

    DeviceAcknowledgements(
            DeviceRepository devices,
            TransactionTemplate transactions,
            SyncProperties properties,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler) {
        this.devices = devices;
        this.transactions = transactions;
        this.scheduler = scheduler;
        this.interval =
                properties.ackFlushInterval().isPositive() ? properties.ackFlushInterval() : Duration.ofMillis(1);
    }

    @Override
    public void start() {
        flusher = scheduler.scheduleWithFixedDelay(
                this::flushQuietly, scheduler.getClock().instant().plus(interval), interval);
    }

    /** Stops the flushes and writes what is pending: after the web server stopped, so no sync is lost. */
    @Override
    public void stop() {
        ScheduledFuture<?> running = flusher;
        if (running != null) {
            running.cancel(false);
            flusher = null;
        }
        flushQuietly();
    }

    @Override
    public boolean isRunning() {
        return flusher != null;
    }

    /** Stops after the web server (whose phase is higher), so the last syncs' acknowledgements are written. */
    @Override
    public int getPhase() {
        return 0;
    }

    /** Records that the device presented a key at {@code seq} (0: none) at {@code now}. */
    void record(String userId, String deviceId, long seq, long now) {
        pending.merge(new Device(userId, deviceId), new Position(seq, now), Position::merge);
    }

    /** Writes every acknowledgement recorded so far. */
    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<Device, Position>> batch = new ArrayList<>();
        for (Device device : List.copyOf(pending.keySet())) {
            Position position = pending.remove(device);
            if (position != null) {
                batch.add(Map.entry(device, position));
            }
        }
        try {
            List<DeviceRepository.Acknowledgement> acknowledgements = batch.stream()
                    .map(entry -> new DeviceRepository.Acknowledgement(
                            entry.getKey().userId(),
                            entry.getKey().deviceId(),
                            entry.getValue().seq(),
                            entry.getValue().at()))
                    .toList();
            transactions.executeWithoutResult(status -> devices.acknowledge(acknowledgements));
        } catch (RuntimeException e) {
            // kept for the next flush
            batch.forEach(entry -> pending.merge(entry.getKey(), entry.getValue(), Position::merge));
            throw e;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Storing device acknowledgements failed, will try again: {}", e.toString());
        }
    }
}
