package dev.courier.client;

/** A running sync loop; {@link #close()} stops it. */
public interface SyncSubscription extends AutoCloseable {

    /** Whether the stream WebSocket is connected now (otherwise the loop long-polls). */
    boolean streaming();

    /** Stops the loop; once this returns the listener is not called again. */
    @Override
    void close();
}
