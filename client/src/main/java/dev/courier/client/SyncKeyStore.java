package dev.courier.client;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the sync loop keeps its sync key between runs. The key is the device's acknowledgement of everything it
 * received: a store that loses a write makes the next run receive that delta again, a store that corrupts one makes
 * the next run start afresh (with {@link SyncListener#onResync()}).
 */
public interface SyncKeyStore {

    /** The stored key, if any. */
    Optional<String> load() throws IOException;

    /** Replaces the stored key; when this returns, the key survives a crash of the process. */
    void save(String syncKey) throws IOException;

    /** Forgets the key (the next sync is a first sync). */
    void clear() throws IOException;

    /** A file holding just the key, replaced atomically on every save (the default store). */
    static SyncKeyStore file(Path file) {
        return new FileSyncKeyStore(file);
    }

    /** A store in memory only: a new process starts afresh. */
    static SyncKeyStore inMemory() {
        AtomicReference<String> key = new AtomicReference<>();
        return new SyncKeyStore() {
            @Override
            public Optional<String> load() {
                return Optional.ofNullable(key.get());
            }

            @Override
            public void save(String syncKey) {
                key.set(syncKey);
            }

            @Override
            public void clear() {
                key.set(null);
            }
        };
    }
}
