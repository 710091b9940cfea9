package dev.courier.gateway;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway.
 *
 * @param maxTextBytes the largest text message, in bytes of UTF-8
 * @param sendTimeout how long a send waits for Kafka's acknowledgement before answering 503
 * @param conversationPartitions partitions of {@code courier.conversations} when the gateway creates it
 */
@ConfigurationProperties("courier.gateway")
public record GatewayProperties(@DefaultValue("16384") int maxTextBytes, @DefaultValue("5s") Duration sendTimeout,
        @DefaultValue("8") int conversationPartitions) {
}
