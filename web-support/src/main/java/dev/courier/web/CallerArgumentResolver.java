package dev.courier.web;

import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

import dev.courier.common.AccessTokens;
import dev.courier.common.ErrorCode;

/**
 * Resolves {@link Caller} parameters from {@code Authorization: Bearer <token>}: {@code 401 unauthenticated} without a
 * valid token of a signed-in device, {@code 503 unavailable} when the device cannot be checked now
 * ({@link KnownDevices}).
 */
final class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    private final AccessTokens tokens;

    private final KnownDevices devices;

    CallerArgumentResolver(AccessTokens tokens, KnownDevices devices) {
        this.tokens = tokens;
        this.devices = devices;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Caller resolveArgument(
            MethodParameter parameter,
            @Nullable ModelAndViewContainer mavContainer,
            NativeWebRequest request,
            @Nullable WebDataBinderFactory binderFactory) {
        return authenticate(tokens, devices, request.getHeader(HttpHeaders.AUTHORIZATION));
    }

    /** Verifies an {@code Authorization} header value; shared with the WebSocket handshakes. */
    static Caller authenticate(AccessTokens tokens, KnownDevices devices, @Nullable String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "missing Authorization: Bearer <token>");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "the Authorization header must be Bearer <token>");
        }
        return verify(tokens, devices, authorization.substring(7).trim());
    }

    static Caller verify(AccessTokens tokens, KnownDevices devices, String token) {
        AccessTokens.Principal principal;
        try {
            principal = tokens.verify(token);
        } catch (AccessTokens.InvalidTokenException e) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, e.getMessage());
        }
        if (!devices.isKnown(principal.userId(), principal.deviceId())) {
            throw new ApiException(
                    ErrorCode.UNAUTHENTICATED, "the device '" + principal.deviceId() + "' is signed out; log in again");
        }
        return new Caller(principal.userId(), principal.deviceId(), principal.expiresAt());
    }
}
