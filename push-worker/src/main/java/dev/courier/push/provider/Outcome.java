package dev.courier.push.provider;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** What a provider answered to one push. */
public sealed interface Outcome {

    /** The provider took the push (a 2xx). */
    record Delivered() implements Outcome {}

    /** The token is no longer valid (410, APNs {@code Unregistered}/{@code BadDeviceToken}, FCM {@code UNREGISTERED}). */
    record Unregistered(String detail) implements Outcome {}

    /**
     * A passing failure (429, 5xx, no answer in time, no connection): try again, not before {@code retryAfter} when the
     * provider named one.
     */
    record Retry(String detail, @Nullable Duration retryAfter) implements Outcome {}

    /** The provider refused the push for good (another 4xx): it goes to the dead-letter topic. */
    record Refused(String detail) implements Outcome {}
}
