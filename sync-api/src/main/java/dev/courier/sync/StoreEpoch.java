package dev.courier.sync;

import java.time.Clock;

import org.springframework.stereotype.Component;

/** The store's epoch (table {@code courier_meta}), read again every {@code courier.sync.epoch-refresh}. */
@Component
class StoreEpoch {

    private final SyncRepository repository;

    private final SyncProperties properties;

    private final Clock clock;

    private volatile long epoch;

    private volatile boolean read;

    private volatile long readAt;

    StoreEpoch(SyncRepository repository, SyncProperties properties, Clock clock) {
        this.repository = repository;
        this.properties = properties;
        this.clock = clock;
    }

    long current() {
        long now = clock.millis();
        if (!read || now - readAt > properties.epochRefresh().toMillis()) {
            epoch = repository.epoch();
            readAt = now;
            read = true;
        }
        return epoch;
    }
}
