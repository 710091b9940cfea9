package dev.courier.common;

/**
 * Presence on Redis (PROTOCOL.md, "Redis"): key {@code courier:presence:<userId>:<deviceId>} exists while the device
 * holds a live stream or long poll on some sync-api instance (its value names the instance). Each instance refreshes
 * the keys of its devices before they expire and removes them when the device goes. It is a hint like the others:
 * whoever cannot read it takes the device for offline (an extra push, never a missed one).
 */
public final class Presence {

    public static final String KEY_PREFIX = "courier:presence:";

    private Presence() {}

    /** The key of one device (a device id has no {@code :}, so the key is unambiguous). */
    public static String key(String userId, String deviceId) {
        return KEY_PREFIX + userId + ":" + deviceId;
    }
}
