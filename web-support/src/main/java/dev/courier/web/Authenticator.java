package dev.courier.web;

import org.jspecify.annotations.Nullable;

import dev.courier.common.AccessTokens;

/**
 * Authenticates a caller outside controller parameters, for example at a WebSocket handshake where the token may come
 * in the {@code access_token} query parameter.
 */
public final class Authenticator {

    private final AccessTokens tokens;

    private final KnownDevices devices;

    Authenticator(AccessTokens tokens, KnownDevices devices) {
        this.tokens = tokens;
        this.devices = devices;
    }

    /**
     * @param authorization the {@code Authorization} header, if any
     * @param accessToken the {@code access_token} query parameter, if any
     * @throws ApiException {@code 401 unauthenticated} when neither holds a valid token of a signed-in device, or
     *         {@code 503 unavailable} when the device cannot be checked now (see {@link KnownDevices})
     */
    public Caller authenticate(@Nullable String authorization, @Nullable String accessToken) {
        if ((authorization == null || authorization.isBlank()) && accessToken != null && !accessToken.isBlank()) {
            return CallerArgumentResolver.verify(tokens, devices, accessToken);
        }
        return CallerArgumentResolver.authenticate(tokens, devices, authorization);
    }
}
