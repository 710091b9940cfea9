package dev.courier.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * HTTP settings shared by the gateway and the sync-api.
 *
 * @param maxBodySize the largest request body; larger ones are answered {@code 413 payload_too_large} unread
 * @param deviceCheckCache how long a device found in the database is trusted without asking again: a signed-out
 *        device's token stops working within this time on every instance, and while the database is unavailable a
 *        device found within this time is still accepted (any other is answered {@code 503 unavailable})
 */
@ConfigurationProperties("courier.http")
public record HttpProperties(
        @DefaultValue("128KB") DataSize maxBodySize,
        @DefaultValue("10s") Duration deviceCheckCache) {}
