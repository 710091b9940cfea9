package dev.courier.fanout;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the fanout-worker. Each stage can be switched off, so operators can run and scale them separately.
 *
 * @param expansion the expansion stage (consumes {@code courier.conversations})
 * @param inboxWriter the inbox-writer stage (consumes {@code courier.inbox})
 * @param retryMaxInterval the longest pause between retries of a batch that failed for a passing reason
 */
@ConfigurationProperties("courier.fanout")
public record FanoutProperties(
        @DefaultValue Stage expansion,
        @DefaultValue Stage inboxWriter,
        @DefaultValue("10s") Duration retryMaxInterval) {

    /**
     * @param enabled whether this instance runs the stage
     * @param concurrency consumer threads of the stage in this instance
     */
    public record Stage(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1") int concurrency) {}
}
