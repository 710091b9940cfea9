package dev.courier.fanout;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the fanout-worker. Each stage can be switched off, so operators can run and scale them separately.
 *
 * @param expansion the expansion stage (consumes {@code courier.conversations})
 * @param inboxWriter the inbox-writer stage (consumes {@code courier.inbox})
 * @param conversationPartitions partitions of {@code courier.conversations} when the worker creates it (keep it
 *        equal to the gateway's {@code courier.gateway.conversation-partitions})
 * @param inboxPartitions partitions of {@code courier.inbox} when the worker creates it
 * @param retryMaxInterval the longest pause between retries of a batch that failed for a passing reason
 */
@ConfigurationProperties("courier.fanout")
public record FanoutProperties(@DefaultValue Stage expansion, @DefaultValue Stage inboxWriter,
        @DefaultValue("8") int conversationPartitions, @DefaultValue("8") int inboxPartitions, @DefaultValue("10s") Duration retryMaxInterval) {

    /**
     * @param enabled whether this instance runs the stage
     * @param concurrency consumer threads of the stage in this instance
     */
    public record Stage(@DefaultValue("true") boolean enabled, @DefaultValue("1") int concurrency) {
    }
}
