package dev.courier.client;

import java.util.Objects;

/**
 * What the client logs in with ({@code POST /v1/sessions}), and again whenever the server refuses its token.
 *
 * @param deviceId names this installation: each device has its own sync position
 */
public record Credentials(String userId, String password, String deviceId) {

    public Credentials {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(deviceId, "deviceId");
    }

    @Override
    public String toString() {
        return "Credentials[userId=" + userId + ", deviceId=" + deviceId + "]";
    }
}
