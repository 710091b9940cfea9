package dev.courier.web;

import org.jspecify.annotations.Nullable;

import dev.courier.common.AccessTokens;

/**
 * Authenticates a caller outside controller parameters, for example at a WebSocket handshake where the token may come
 * in the {@code access_token} query parameter.
 */
public final class Authenticator {

    private final AccessTokens tokens;

    Authenticator(AccessTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * @param authorization the {@code Authorization} header, if any
     * @param accessToken the {@code access_token} query parameter, if any
     * @throws ApiException {@code 401 unauthenticated} when neither holds a valid token
     */
    public Caller authenticate(@Nullable String authorization, @Nullable String accessToken) {
        if ((authorization == null || authorization.isBlank()) && accessToken != null && !accessToken.isBlank()) {
            return CallerArgumentResolver.verify(tokens, accessToken);
        }
        return CallerArgumentResolver.authenticate(tokens, authorization);
    }
}
