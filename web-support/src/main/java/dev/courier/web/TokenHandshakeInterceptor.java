package dev.courier.web;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

import dev.courier.common.ErrorCode;

/**
 * Authenticates a WebSocket handshake from {@code Authorization: Bearer <token>} or, for browsers that cannot set
 * headers, the {@code access_token} query parameter. A handshake without a valid token is refused with
 * {@code 401 unauthenticated} as problem+json; an accepted one carries the {@link Caller} in the session attributes.
 */
public final class TokenHandshakeInterceptor implements HandshakeInterceptor {

    static final String CALLER = "courier.caller";

    private final Authenticator authenticator;

    public TokenHandshakeInterceptor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) {
        String query = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams().getFirst("access_token");
        try {
            attributes.put(CALLER, authenticator.authenticate(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION),
                    query == null ? null : java.net.URLDecoder.decode(query, StandardCharsets.UTF_8)));
            return true;
        } catch (ApiException e) {
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            try {
                response.getBody().write(Problems.json(ErrorCode.UNAUTHENTICATED, 401, e.getMessage()));
            } catch (java.io.IOException ignored) {
                // the status alone refuses the handshake
            }
            return false;
        }
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            @Nullable Exception exception) {
    }
}
