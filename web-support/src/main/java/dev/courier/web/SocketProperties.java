package dev.courier.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of Courier's WebSockets (the gateway's {@code /v1/ws} and the sync-api's {@code /v1/stream}).
 *
 * @param heartbeat how often the server sends a WebSocket ping to every client
 * @param idleTimeout a session that sent nothing (frames or pongs) for this long is closed
 * @param maxFrameSize the largest text frame a client may send; a larger one closes the session with 1009
 */
@ConfigurationProperties("courier.websocket")
public record SocketProperties(
        @DefaultValue("25s") Duration heartbeat,
        @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("64KB") DataSize maxFrameSize) {}
