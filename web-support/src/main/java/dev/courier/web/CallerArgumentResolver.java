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

/** Resolves {@link Caller} parameters from {@code Authorization: Bearer <token>}. */
final class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    private final AccessTokens tokens;

    CallerArgumentResolver(AccessTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Caller resolveArgument(MethodParameter parameter, @Nullable ModelAndViewContainer mavContainer,
            NativeWebRequest request, @Nullable WebDataBinderFactory binderFactory) {
        return authenticate(tokens, request.getHeader(HttpHeaders.AUTHORIZATION));
    }

    /** Verifies an {@code Authorization} header value; shared with the WebSocket handshakes. */
    static Caller authenticate(AccessTokens tokens, @Nullable String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "missing Authorization: Bearer <token>");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "the Authorization header must be Bearer <token>");
        }
        return verify(tokens, authorization.substring(7).trim());
    }

    static Caller verify(AccessTokens tokens, String token) {
        try {
            AccessTokens.Principal principal = tokens.verify(token);
            return new Caller(principal.userId(), principal.deviceId(), principal.expiresAt());
        } catch (AccessTokens.InvalidTokenException e) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, e.getMessage());
        }
    }
}
