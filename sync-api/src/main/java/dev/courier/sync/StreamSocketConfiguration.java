package dev.courier.sync;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

import dev.courier.web.ProblemHandshakeHandler;
import dev.courier.web.TokenHandshakeInterceptor;

/** {@code GET /v1/stream}, authenticated at the handshake. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class StreamSocketConfiguration implements WebSocketConfigurer {

    private final StreamSocketHandler handler;

    private final TokenHandshakeInterceptor authentication;

    StreamSocketConfiguration(
            StreamSocketHandler handler,
            TokenHandshakeInterceptor authentication,
            LongPolls longPolls,
            HintSubscriptions hints,
            MeterRegistry meters) {
        this.handler = handler;
        this.authentication = authentication;
        Gauge.builder("courier.websocket.sessions", handler, h -> h.openSessions())
                .tag("endpoint", "/v1/stream")
                .register(meters);
        Gauge.builder("courier.sync.long_polls", longPolls, LongPolls::held)
                .description("long polls held now")
                .register(meters);
        Gauge.builder("courier.sync.hint_subscriptions", hints, HintSubscriptions::subscribedUsers)
                .description("users whose hint channel this instance subscribes")
                .register(meters);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/v1/stream")
                .addInterceptors(authentication)
                .setHandshakeHandler(new ProblemHandshakeHandler())
                .setAllowedOriginPatterns("*");
    }
}
