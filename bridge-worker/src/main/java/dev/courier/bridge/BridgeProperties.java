package dev.courier.bridge;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the bridge-worker.
 *
 * @param systems the external systems bridged, by system id, with where each may write
 * @param maxEnvelopeSize the largest inbound envelope; a larger one goes to the dead-letter topic
 * @param maxTextBytes the largest text message, in bytes of UTF-8 (as at the gateway)
 */
@ConfigurationProperties("courier.bridge")
public record BridgeProperties(
        @DefaultValue Map<String, SystemSettings> systems,
        @DefaultValue("64KB") DataSize maxEnvelopeSize,
        @DefaultValue("16384") int maxTextBytes) {

    /**
     * @param users the users the system may write to, or {@code *} for all
     * @param groups the groups the system may write to, or {@code *} for all; the system's identities join a group
     *        they may write to when they first post to it
     */
    public record SystemSettings(
            @DefaultValue List<String> users, @DefaultValue List<String> groups) {

        public boolean mayWriteToUser(String userId) {
            return users.contains("*") || users.contains(userId);
        }

        public boolean mayWriteToGroup(String groupId) {
            return groups.contains("*") || groups.contains(groupId);
        }
    }
}
