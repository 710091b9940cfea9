package dev.courier.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

import dev.courier.web.AuthenticatedSocketHandler;
import dev.courier.web.ProblemHandshakeHandler;
import dev.courier.web.TokenHandshakeInterceptor;

/** {@code GET /v1/ws}, authenticated at the handshake. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class GatewaySocketConfiguration implements WebSocketConfigurer {

    private final WebSocketHandler handler;

    private final TokenHandshakeInterceptor authentication;

    GatewaySocketConfiguration(
            AuthenticatedSocketHandler handler, TokenHandshakeInterceptor authentication, MeterRegistry meters) {
        this.handler = handler;
        this.authentication = authentication;
        Gauge.builder("courier.websocket.sessions", handler, AuthenticatedSocketHandler::openSessions)
                .tag("endpoint", "/v1/ws")
                .register(meters);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/v1/ws")
                .addInterceptors(authentication)
                .setHandshakeHandler(new ProblemHandshakeHandler())
                .setAllowedOriginPatterns("*");
    }
}
