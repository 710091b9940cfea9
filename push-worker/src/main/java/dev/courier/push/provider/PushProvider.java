package dev.courier.push.provider;

import java.util.concurrent.CompletableFuture;

/**
 * A way to reach devices: one per provider name of a push token ({@code apns}, {@code fcm}, {@code webhook}). A
 * provider never blocks the caller and never throws: whatever happens is an {@link Outcome} (a failure to reach it is
 * a {@link Outcome.Retry}).
 */
public interface PushProvider {

    /** The provider name a token names ({@link dev.courier.common.PushTokens#PROVIDERS}). */
    String name();

    CompletableFuture<Outcome> send(Push push);
}
