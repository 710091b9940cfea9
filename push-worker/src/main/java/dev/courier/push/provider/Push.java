package dev.courier.push.provider;

import org.jspecify.annotations.Nullable;

/**
 * One push to one device: what the provider is told. Content ({@link #preview}) only when {@code courier.push.preview}
 * is on.
 *
 * @param token the device's token with its provider
 * @param seq the newest inbox seq of the user the push is for
 * @param badge the sum of the user's unread counts
 * @param preview the sender's display name and the start of a text, or null
 */
public record Push(
        String userId,
        String deviceId,
        String provider,
        String token,
        long seq,
        long badge,
        String conversation,
        String messageId,
        @Nullable Preview preview) {

    /**
     * @param sender the sender's display name
     * @param text the first 100 characters of a text message, or null for another kind
     */
    public record Preview(String sender, @Nullable String text) {}
}
