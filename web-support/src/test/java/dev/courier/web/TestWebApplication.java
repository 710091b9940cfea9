package dev.courier.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import tools.jackson.databind.JsonNode;

/**
 * A web service as small as can be on web-support: {@code GET /v1/me} (a caller, nothing else, so no dependency of its
 * own can fail) and the WebSocket {@code /v1/ws}, authenticated and kept alive as the gateway's and the sync-api's.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
@Import({TestWebApplication.MeController.class, TroubleController.class})
class TestWebApplication implements WebSocketConfigurer {

    private final CountingSocketHandler handler;

    private final TokenHandshakeInterceptor authentication;

    TestWebApplication(CountingSocketHandler handler, TokenHandshakeInterceptor authentication) {
        this.handler = handler;
        this.authentication = authentication;
    }

    @Bean
    static MovableClock clock() {
        return new MovableClock();
    }

    @Bean
    static CountingSocketHandler countingSocketHandler(SocketProperties properties, MovableClock clock) {
        return new CountingSocketHandler(properties, clock);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/v1/ws")
                .addInterceptors(authentication)
                .setHandshakeHandler(new ProblemHandshakeHandler());
    }

    @RestController
    static class MeController {

        @GetMapping("/v1/me")
        Map<String, String> me(Caller caller) {
            return Map.of("userId", caller.userId(), "deviceId", caller.deviceId());
        }
    }

    /** Counts the frames of each session (by the caller's device id). */
    static final class CountingSocketHandler extends AuthenticatedSocketHandler {

        final Map<String, AtomicLong> frames = new ConcurrentHashMap<>();

        CountingSocketHandler(SocketProperties properties, MovableClock clock) {
            super(properties, clock);
        }

        @Override
        protected void onFrame(Caller caller, WebSocketSession session, String type, JsonNode frame) {
            frames.computeIfAbsent(caller.deviceId(), device -> new AtomicLong())
                    .incrementAndGet();
        }
    }
}
