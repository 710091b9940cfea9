package dev.courier.client;

import java.time.Instant;
import java.util.Objects;

/** A bearer token naming one user and one device, as {@code POST /v1/sessions} issues it; it expires. */
public record AccessToken(String token, Instant expiresAt) {

    public AccessToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "AccessToken[expiresAt=" + expiresAt + "]";
    }
}
