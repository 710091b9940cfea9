package dev.courier.gateway;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

import dev.courier.web.TokenHandshakeInterceptor;

/** {@code GET /v1/ws}, authenticated at the handshake. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class SocketConfiguration implements WebSocketConfigurer {

    private final WebSocketHandler handler;

    private final TokenHandshakeInterceptor authentication;

    SocketConfiguration(dev.courier.web.AuthenticatedSocketHandler handler, TokenHandshakeInterceptor authentication,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.handler = handler;
        this.authentication = authentication;
        io.micrometer.core.instrument.Gauge
            .builder("courier.websocket.sessions", handler, dev.courier.web.AuthenticatedSocketHandler::openSessions)
            .tag("endpoint", "/v1/ws")
            .register(meters);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/v1/ws").addInterceptors(authentication)
            .setHandshakeHandler(new dev.courier.web.ProblemHandshakeHandler())
            .setAllowedOriginPatterns("*");
    }
}
