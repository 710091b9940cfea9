package dev.courier.bridge;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the bridge-worker.
 *
 * @param systems the external systems this worker bridges
 */
@ConfigurationProperties("courier.bridge")
public record BridgeProperties(@DefaultValue List<String> systems) {
}
