package dev.courier.web;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

import dev.courier.common.ErrorCode;
import dev.courier.store.DeviceRepository;

/**
 * Whether a token's device is still signed in. A device found in the database is trusted for
 * {@code courier.http.device-check-cache} without asking again, so a signed-out device is refused on every instance
 * within that time.
 * <p>
 * When the database cannot be asked, a device whose last successful check is within that time is still accepted; any
 * other is answered {@code 503 unavailable} (retry is safe): a valid signature alone never proves that a device has not
 * signed out. After a failed check the database is left alone for {@link #RETRY_AFTER_SECONDS}, so an outage costs one
 * timeout per instance and second, not one per request.
 */
public final class KnownDevices {

    private static final Logger log = LoggerFactory.getLogger(KnownDevices.class);

    private static final int CACHE_LIMIT = 100_000;

    static final long RETRY_AFTER_SECONDS = 1;

    private final @Nullable DeviceRepository devices;

    private final long trustMillis;

    private final Clock clock;

    private final Map<String, Long> trustedUntil = new ConcurrentHashMap<>();

    /** After a failed check, devices not trusted already are answered 503 until then without asking the database. */
    private volatile long unreachableUntil;

    /** Warned about the outage since the last successful check: once per outage, not once per request. */
    private volatile boolean warned;

    KnownDevices(@Nullable DeviceRepository devices, HttpProperties properties, Clock clock) {
        this.devices = devices;
        this.trustMillis = properties.deviceCheckCache().toMillis();
        this.clock = clock;
    }

    /**
     * @return whether the device is signed in
     * @throws ApiException {@code 503 unavailable} (with {@code Retry-After}) when the database cannot be asked and the
     *         device was not found there within the cache time
     */
    public boolean isKnown(String userId, String deviceId) {
        if (devices == null) {
            return true;
        }
        String key = userId + " " + deviceId;
        long now = clock.millis();
        Long until = trustedUntil.get(key);
        if (until != null && until > now) {
            return true;
        }
        if (unreachableUntil > now) {
            throw unavailable();
        }
        boolean known;
        try {
            known = devices.isKnown(userId, deviceId);
        } catch (DataAccessException e) {
            unreachableUntil = now + RETRY_AFTER_SECONDS * 1000;
            if (!warned) {
                warned = true;
                log.warn(
                        "Devices cannot be checked, the database is unavailable: callers not checked within {} ms "
                                + "are answered 503 until it is back: {}",
                        trustMillis,
                        e.toString());
            }
            throw unavailable();
        }
        if (warned) {
            warned = false;
            log.info("Devices are checked again: the database is back");
        }
        if (known) {
            if (trustedUntil.size() > CACHE_LIMIT) {
                trustedUntil.clear();
            }
            trustedUntil.put(key, now + trustMillis);
        } else {
            trustedUntil.remove(key);
        }
        return known;
    }

    private static ApiException unavailable() {
        return new ApiException(
                        ErrorCode.UNAVAILABLE,
                        "the device cannot be checked now (the database is " + "unavailable); retry later")
                .retryAfter(RETRY_AFTER_SECONDS);
    }

    /** Forgets a device on this instance at once (after it signed out here). */
    public void forget(String userId, String deviceId) {
        trustedUntil.remove(userId + " " + deviceId);
    }
}
