package dev.courier.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

import org.jspecify.annotations.Nullable;

import dev.courier.client.AccessToken;
import dev.courier.client.Credentials;

/**
 * The CLI's state directory: {@code session.properties} (server URLs, user, device, password and token; readable by
 * its owner only, since the password lets the client log in again when the token expires) and {@code sync-key} (where
 * {@code tail} and {@code chat} resume).
 */
final class CliState {

    private static final String SESSION = "session.properties";

    private final Path directory;

    private final Properties properties = new Properties();

    private CliState(Path directory) {
        this.directory = directory;
    }

    static CliState load(Path directory) {
        CliState state = new CliState(directory);
        Path file = directory.resolve(SESSION);
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                state.properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return state;
    }

    Path syncKeyFile() {
        return directory.resolve("sync-key");
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(properties.getProperty(key));
    }

    synchronized void set(String key, @Nullable String value) {
        if (value == null) {
            properties.remove(key);
        } else {
            properties.setProperty(key, value);
        }
    }

    Optional<Credentials> credentials() {
        String userId = properties.getProperty("userId");
        String password = properties.getProperty("password");
        String deviceId = properties.getProperty("deviceId");
        return userId == null || password == null || deviceId == null
                ? Optional.empty()
                : Optional.of(new Credentials(userId, password, deviceId));
    }

    Optional<AccessToken> token() {
        String token = properties.getProperty("token");
        String expiresAt = properties.getProperty("tokenExpiresAt");
        return token == null || expiresAt == null
                ? Optional.empty()
                : Optional.of(new AccessToken(token, Instant.parse(expiresAt)));
    }

    synchronized void token(AccessToken token) {
        properties.setProperty("token", token.token());
        properties.setProperty("tokenExpiresAt", token.expiresAt().toString());
    }

    /** Writes the session file whole (a temporary file renamed over it), readable by its owner only. */
    synchronized void save() {
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve(SESSION);
            Path temporary = directory.resolve(SESSION + ".tmp");
            StringWriter text = new StringWriter();
            properties.store(text, "Courier CLI session; keep private");
            Files.deleteIfExists(temporary);
            try {
                Files.createFile(
                        temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temporary); // not a POSIX file system: the directory's protection applies
            }
            Files.writeString(temporary, text.toString(), StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the session in " + directory, e);
        }
    }

    /** Forgets the session and the sync key. */
    synchronized void clear() {
        properties.clear();
        try {
            Files.deleteIfExists(directory.resolve(SESSION));
            Files.deleteIfExists(syncKeyFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + directory, e);
        }
    }
}
