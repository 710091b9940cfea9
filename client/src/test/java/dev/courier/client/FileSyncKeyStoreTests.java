package dev.courier.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class FileSyncKeyStoreTests {

    @TempDir
    Path directory;

    @Test
    void loadsNothingBeforeTheFirstSave() throws IOException {
        assertThat(SyncKeyStore.file(directory.resolve("sync-key")).load()).isEmpty();
    }

    @Test
    void aNewStoreOnTheSameFileLoadsTheLastSavedKey() throws IOException {
        Path file = directory.resolve("state/sync-key");
        SyncKeyStore store = SyncKeyStore.file(file);
        store.save("key-1");
        store.save("key-2");
        assertThat(SyncKeyStore.file(file).load()).contains("key-2");
        assertThat(directory.resolve("state"))
                .isDirectoryContaining(p -> p.getFileName().toString().equals("sync-key"))
                .isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void aSaveThatFailsBeforeTheRenameLeavesThePreviousKey() throws IOException {
        Path file = directory.resolve("sync-key");
        SyncKeyStore store = SyncKeyStore.file(file);
        store.save("old-key");
        // the temporary file cannot be written: the save fails the way a crash or a full disk would
        Files.createDirectory(directory.resolve("sync-key.tmp"));
        assertThatIOException().isThrownBy(() -> store.save("new-key"));
        assertThat(store.load()).contains("old-key");
    }

    @Test
    void aLeftoverTemporaryFileFromACrashIsIgnoredAndReplaced() throws IOException {
        Path file = directory.resolve("sync-key");
        SyncKeyStore store = SyncKeyStore.file(file);
        store.save("good-key");
        Files.writeString(directory.resolve("sync-key.tmp"), "half-writ");
        assertThat(store.load()).contains("good-key");
        store.save("next-key");
        assertThat(store.load()).contains("next-key");
        assertThat(directory.resolve("sync-key.tmp")).doesNotExist();
    }

    @Test
    void aReaderNeverSeesAPartlyWrittenKey() throws Exception {
        Path file = directory.resolve("sync-key");
        SyncKeyStore writer = SyncKeyStore.file(file);
        SyncKeyStore reader = SyncKeyStore.file(file);
        writer.save("a".repeat(4000));
        AtomicBoolean done = new AtomicBoolean();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Thread readerThread = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                try {
                    Optional<String> key = reader.load();
                    key.ifPresent(k ->
                            seen.add(k.length() + ":" + k.chars().distinct().count()));
                } catch (IOException e) {
                    seen.add("error " + e);
                }
            }
        });
        for (int i = 0; i < 100; i++) {
            writer.save(String.valueOf((char) ('a' + i % 26)).repeat(4000));
        }
        done.set(true);
        readerThread.join();
        assertThat(seen).containsOnly("4000:1");
    }

    @Test
    void clearForgetsTheKey() throws IOException {
        SyncKeyStore store = SyncKeyStore.file(directory.resolve("sync-key"));
        store.save("key");
        store.clear();
        assertThat(store.load()).isEmpty();
        store.clear();
    }
}
