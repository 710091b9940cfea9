package dev.courier.web;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

import dev.courier.store.DeviceRepository;

/**
 * Whether a token's device is still signed in. A device found is trusted for {@code courier.http.device-check-cache};
 * a signed-out device is refused on every instance within that time. When the database cannot be asked, a valid
 * signature is enough: signing out is best effort, availability is not.
 */
public final class KnownDevices {

    private static final Logger log = LoggerFactory.getLogger(KnownDevices.class);

    private static final int CACHE_LIMIT = 100_000;

    private final @Nullable DeviceRepository devices;

    private final long trustMillis;

    private final Clock clock;

    private final Map<String, Long> trustedUntil = new ConcurrentHashMap<>();

    /** After the database failed, signatures alone are trusted until then (one timeout per outage, not per request). */
    private volatile long unreachableUntil;

    KnownDevices(@Nullable DeviceRepository devices, HttpProperties properties, Clock clock) {
        this.devices = devices;
        this.trustMillis = properties.deviceCheckCache().toMillis();
        this.clock = clock;
    }

    public boolean isKnown(String userId, String deviceId) {
        if (devices == null) {
            return true;
        }
        String key = userId + " " + deviceId;
        long now = clock.millis();
        Long until = trustedUntil.get(key);
        if (until != null && until > now || unreachableUntil > now) {
            return true;
        }
        try {
            boolean known = devices.isKnown(userId, deviceId);
            if (known) {
                if (trustedUntil.size() > CACHE_LIMIT) {
                    trustedUntil.clear();
                }
                trustedUntil.put(key, now + trustMillis);
            }
            return known;
        } catch (DataAccessException e) {
            unreachableUntil = now + trustMillis;
            log.debug("Device checks skipped for a while, the database is unavailable: {}", e.toString());
            return true;
        }
    }

    /** Forgets a device on this instance at once (after it signed out here). */
    public void forget(String userId, String deviceId) {
        trustedUntil.remove(userId + " " + deviceId);
    }
}
