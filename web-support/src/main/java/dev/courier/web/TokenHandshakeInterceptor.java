package dev.courier.web;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

import dev.courier.common.ErrorCode;

/**
 * Authenticates a WebSocket handshake from {@code Authorization: Bearer <token>} or, for browsers that cannot set
 * headers, the {@code access_token} query parameter. A handshake without a valid token is refused with
 * {@code 401 unauthenticated} as problem+json, and one whose device cannot be checked now (see {@link KnownDevices})
 * with {@code 503 unavailable} and {@code Retry-After}; an accepted one carries the {@link Caller} in the session
 * attributes.
 */
public final class TokenHandshakeInterceptor implements HandshakeInterceptor {

    static final String CALLER = "courier.caller";

    private final Authenticator authenticator;

    public TokenHandshakeInterceptor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes) {
        if (request instanceof ServletServerHttpRequest servlet
                && !wellFormedQuery(servlet.getServletRequest().getQueryString())) {
            refuse(response, HttpStatus.BAD_REQUEST, ErrorCode.INVALID_REQUEST, "query: malformed percent-encoding");
            return false;
        }
        String query = UriComponentsBuilder.fromUri(request.getURI())
                .build()
                .getQueryParams()
                .getFirst("access_token");
        try {
            attributes.put(
                    CALLER,
                    authenticator.authenticate(
                            request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION),
                            query == null ? null : URLDecoder.decode(query, StandardCharsets.UTF_8)));
            return true;
        } catch (ApiException e) {
            if (e.code() == ErrorCode.UNAUTHENTICATED) {
                response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            }
            if (e.code() == ErrorCode.UNAVAILABLE) {
                response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfterSeconds())));
            }
            refuse(response, HttpStatus.valueOf(e.status()), e.code(), e.getMessage());
            return false;
        }
    }

    private static boolean wellFormedQuery(@Nullable String query) {
        if (query == null) {
            return true;
        }
        try {
            for (String part : query.split("&")) {
                URLDecoder.decode(part, StandardCharsets.UTF_8);
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void refuse(ServerHttpResponse response, HttpStatus status, ErrorCode code, String detail) {
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        try {
            response.getBody().write(Problems.json(code, status.value(), detail));
        } catch (IOException ignored) {
            // the status alone refuses the handshake
        }
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            @Nullable Exception exception) {}
}
