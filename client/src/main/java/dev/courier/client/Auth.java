package dev.courier.client;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Holds the access token: logs in ({@code POST /v1/sessions}) when there is none, when it is about to expire, and after
 * the server refused it. Concurrent callers share one login.
 */
final class Auth {

    private static final Logger log = LoggerFactory.getLogger(Auth.class);

    /** A token this close to expiry is renewed before use, so that it does not expire in flight. */
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(1);

    private final Http http;

    private final URI sessions;

    private final @Nullable Credentials credentials;

    private final Consumer<AccessToken> onToken;

    private final Duration timeout;

    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();

    private @Nullable AccessToken current;

    Auth(
            Http http,
            URI gateway,
            @Nullable Credentials credentials,
            @Nullable AccessToken initial,
            Consumer<AccessToken> onToken,
            Duration timeout,
            Clock clock) {
        this.http = http;
        this.sessions = gateway.resolve("/v1/sessions");
        this.credentials = credentials;
        this.current = initial;
        this.onToken = onToken;
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * A token to use now, logging in first when needed.
     *
     * @throws CourierException when there are no credentials to log in with, or they were refused
     */
    String token() throws IOException, InterruptedException {
        lock.lockInterruptibly();
        try {
            AccessToken token = current;
            if (token != null
                    && (credentials == null
                            || token.expiresAt().isAfter(clock.instant().plus(RENEW_BEFORE)))) {
                return token.token();
            }
            return login().token();
        } finally {
            lock.unlock();
        }
    }

    /** The server refused {@code token}: the next {@link #token()} logs in again. */
    void refused(String token) {
        lock.lock();
        try {
            if (current != null && current.token().equals(token)) {
                log.debug("Token refused by the server; logging in again on next use");
                current = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Logs in now.
     *
     * @throws CourierException when there are no credentials, or they were refused
     */
    AccessToken login() throws IOException, InterruptedException {
        lock.lockInterruptibly();
        try {
            if (credentials == null) {
                throw new CourierException(401, "unauthenticated", "no valid token, and no credentials to log in with");
            }
            JsonNode body = Http.JSON
                    .createObjectNode()
                    .put("userId", credentials.userId())
                    .put("password", credentials.password())
                    .put("deviceId", credentials.deviceId());
            // without a token, a 401 is a CourierException: the credentials were refused
            Http.Response response = http.send("POST", sessions, null, body, timeout);
            AccessToken token = new AccessToken(
                    response.body().path("token").asString(),
                    Instant.parse(response.body().path("expiresAt").asString()));
            current = token;
            log.debug("Logged in as {} on device {}", credentials.userId(), credentials.deviceId());
            onToken.accept(token);
            return token;
        } finally {
            lock.unlock();
        }
    }
}
