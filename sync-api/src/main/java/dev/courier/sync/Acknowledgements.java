package dev.courier.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.store.DeviceRepository;

/**
 * Device acknowledgements (the key each device last presented), written behind: a sync records its device's position
 * in memory and one batched write per interval stores every position that changed. Writing each one at once made
 * every sync, a read, also a database commit. An acknowledgement only holds retention back, so one stored late (or
 * lost with a crashed instance: the device's next sync records it again) can only make retention trim later, never
 * sooner. Retention flushes first; so does a shutdown.
 */
@Component
public class Acknowledgements implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Acknowledgements.class);

    private record Device(String userId, String deviceId) {
    }

    private record Position(long seq, long at) {

        Position merge(Position other) {
            return new Position(Math.max(seq, other.seq), Math.max(at, other.at));
        }
    }

    private final Map<Device, Position> pending = new ConcurrentHashMap<>();

    private final DeviceRepository devices;

    private final TransactionTemplate transactions;

    private final ScheduledExecutorService flusher = Executors
        .newSingleThreadScheduledExecutor(Thread.ofPlatform().name("courier-ack-flush").daemon().factory());

    Acknowledgements(DeviceRepository devices, TransactionTemplate transactions, SyncProperties properties) {
        this.devices = devices;
        this.transactions = transactions;
        long interval = Math.max(1, properties.ackFlushInterval().toMillis());
        flusher.scheduleWithFixedDelay(this::flushQuietly, interval, interval, TimeUnit.MILLISECONDS);
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
                .map(entry -> new DeviceRepository.Acknowledgement(entry.getKey().userId(), entry.getKey().deviceId(),
                        entry.getValue().seq(), entry.getValue().at()))
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

    @Override
    public void destroy() {
        flusher.shutdownNow();
        flushQuietly();
    }
}
