package dev.courier.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.courier.common.ErrorCode;
import dev.courier.web.ApiException;

/**
 * Token buckets shared by every gateway instance through Redis (Bucket4j): a user's sends, and failed logins per user
 * and per client address. Limits protect the service, they hold no data: when Redis is unreachable each instance
 * falls back to local buckets of the same shape for a while, so sends keep working and a limit still applies.
 */
@Component
public class RateLimiter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    /** After Redis failed, this long on local buckets before Redis is tried again. */
    private static final long LOCAL_FOR_MS = 5_000;

    private static final int LOCAL_BUCKETS_LIMIT = 100_000;

    private final RedisClient client;

    private final ProxyManager<byte[]> redisBuckets;

    private final Map<String, Bucket> localBuckets = new ConcurrentHashMap<>();

    private final BucketConfiguration sends;

    private final BucketConfiguration loginsPerUser;

    private final BucketConfiguration loginsPerAddress;

    private volatile long localUntil;

    private final Clock clock;

    RateLimiter(@Value("${spring.data.redis.url}") String redisUrl, GatewayProperties properties, Clock clock) {
        this.clock = clock;
        this.client = RedisClient.create(RedisURI.create(redisUrl));
        this.client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofMillis(300))
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(300)))
                .build());
        this.redisBuckets = Bucket4jLettuce.casBasedBuilder(client)
                .expirationAfterWrite(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build();
        GatewayProperties.Limits limits = properties.limits();
        this.sends = bucket(limits.sendBurst(), limits.sendsPerSecond(), Duration.ofSeconds(1));
        this.loginsPerUser =
                bucket(limits.failedLoginsPerUser(), limits.failedLoginsPerUser(), limits.failedLoginWindow());
        this.loginsPerAddress =
                bucket(limits.failedLoginsPerAddress(), limits.failedLoginsPerAddress(), limits.failedLoginWindow());
    }

    private static BucketConfiguration bucket(long capacity, long refill, Duration period) {
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(refill, period))
                .build();
    }

    /** Takes one send from the user's bucket, or answers {@code 429 rate_limited} with {@code Retry-After}. */
    public void takeSend(String userId) {
        ConsumptionProbe probe = withBucket("send:" + userId, sends, bucket -> bucket.tryConsumeAndReturnRemaining(1));
        if (!probe.isConsumed()) {
            throw limited("too many messages; slow down", probe.getNanosToWaitForRefill());
        }
    }

    /** Refuses a login attempt while the user or the address has used up its failed attempts. */
    public void checkLogin(String userId, String address) {
        check("login:user:" + userId, loginsPerUser);
        check("login:addr:" + address, loginsPerAddress);
    }

    private void check(String key, BucketConfiguration configuration) {
        EstimationProbe estimate = withBucket(key, configuration, bucket -> bucket.estimateAbilityToConsume(1));
        if (!estimate.canBeConsumed()) {
            throw limited("too many failed logins; try again later", estimate.getNanosToWaitForRefill());
        }
    }

    /** Counts a failed login against the user and the address. */
    public void failedLogin(String userId, String address) {
        withBucket("login:user:" + userId, loginsPerUser, bucket -> bucket.tryConsume(1));
        withBucket("login:addr:" + address, loginsPerAddress, bucket -> bucket.tryConsume(1));
    }

    private <T> T withBucket(String key, BucketConfiguration configuration, Function<Bucket, T> action) {
        if (clock.millis() >= localUntil) {
            try {
                // Redis keeps the configuration a bucket was created with: the key names the shape, so a changed
                // limit applies at once and instances configured differently never share a bucket
                String redisKey = "courier:rl:" + shape(configuration) + ":" + key;
                return action.apply(
                        redisBuckets.getProxy(redisKey.getBytes(StandardCharsets.UTF_8), () -> configuration));
            } catch (RuntimeException e) {
                localUntil = clock.millis() + LOCAL_FOR_MS;
                log.warn(
                        "Rate limits fall back to local buckets for {} ms: Redis failed: {}",
                        LOCAL_FOR_MS,
                        e.toString());
            }
        }
        if (localBuckets.size() > LOCAL_BUCKETS_LIMIT) {
            localBuckets.clear();
        }
        return action.apply(localBuckets.computeIfAbsent(
                key,
                k -> Bucket.builder().addLimit(configuration.getBandwidths()[0]).build()));
    }

    private static String shape(BucketConfiguration configuration) {
        var limit = configuration.getBandwidths()[0];
        return limit.getCapacity() + "-" + limit.getRefillTokens() + "-" + limit.getRefillPeriodNanos() / 1_000_000;
    }

    private static ApiException limited(String detail, long nanosToWait) {
        long seconds = Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L);
        return new ApiException(ErrorCode.RATE_LIMITED, detail).retryAfter(seconds);
    }

    @Override
    public void destroy() {
        client.shutdownAsync();
    }
}
