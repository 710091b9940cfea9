package dev.courier.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.courier.common.ErrorCode;
import dev.courier.web.ApiException;

/**
 * Token buckets shared by every gateway instance through Redis: a user's sends, and failed logins per user and per
 * client address. Each take is one round trip, a Lua script that refills and takes atomically (the send path runs it
 * for every message; Bucket4j's compare-and-swap took two). Limits protect the service, they hold no data: when Redis
 * is unreachable each instance falls back to local Bucket4j buckets of the same shape for a while, so sends keep
 * working and a limit still applies.
 */
@Component
public class RateLimiter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    /** After Redis failed, this long on local buckets before Redis is tried again. */
    private static final long LOCAL_FOR_MS = 5_000;

    private static final int LOCAL_BUCKETS_LIMIT = 100_000;

    private final RedisClient client;

    /**
     * Refills the bucket {@code KEYS[1]} (fields {@code t}: tokens, {@code ts}: last refill, epoch ms) up to
     * {@code ARGV[1]} tokens at {@code ARGV[2]} tokens per ms as of {@code ARGV[3]}, then takes one token if
     * {@code ARGV[4]} is 1 (0: only looks). Returns {@code {1, 0}} when a token was there, else {@code {0, ms to wait}}.
     */
    static final String TAKE_SCRIPT = """
            local capacity = tonumber(ARGV[1])
            local perMs = tonumber(ARGV[2])
            local now = tonumber(ARGV[3])
            local take = tonumber(ARGV[4])
            local state = redis.call('HMGET', KEYS[1], 't', 'ts')
            local tokens = tonumber(state[1])
            local ts = tonumber(state[2])
            if tokens == nil or ts == nil then
              tokens = capacity
              ts = now
            end
            if now > ts then
              tokens = math.min(capacity, tokens + (now - ts) * perMs)
              ts = now
            end
            if tokens < 1 then
              return {0, math.ceil((1 - tokens) / perMs)}
            end
            if take == 1 then
              tokens = tokens - 1
              redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(ts))
              redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / perMs) + 1000)
            end
            return {1, 0}
            """;

    private final String takeSha;

    private volatile @Nullable StatefulRedisConnection<String, String> connection;

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
        this.takeSha = sha1(TAKE_SCRIPT);
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
        long wait = take("send:" + userId, sends, true);
        if (wait > 0) {
            throw limited("too many messages; slow down", wait);
        }
    }

    /** Refuses a login attempt while the user or the address has used up its failed attempts. */
    public void checkLogin(String userId, String address) {
        check("login:user:" + userId, loginsPerUser);
        check("login:addr:" + address, loginsPerAddress);
    }

    private void check(String key, BucketConfiguration configuration) {
        long wait = take(key, configuration, false);
        if (wait > 0) {
            throw limited("too many failed logins; try again later", wait);
        }
    }

    /** Counts a failed login against the user and the address. */
    public void failedLogin(String userId, String address) {
        take("login:user:" + userId, loginsPerUser, true);
        take("login:addr:" + address, loginsPerAddress, true);
    }

    /**
     * Takes a token from the bucket ({@code consume}) or only looks whether one is there; returns 0 when there was one,
     * else the nanoseconds until there is.
     */
    private long take(String key, BucketConfiguration configuration, boolean consume) {
        if (clock.millis() >= localUntil) {
            try {
                // the key names the shape, so a changed limit applies at once and instances configured differently
                // never share a bucket; "rl2": Bucket4j's keys of earlier releases hold another type
                String redisKey = "courier:rl2:" + shape(configuration) + ":" + key;
                return takeInRedis(redisKey, configuration, consume);
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
        Bucket bucket = localBuckets.computeIfAbsent(
                key,
                k -> Bucket.builder().addLimit(configuration.getBandwidths()[0]).build());
        if (consume) {
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
            return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
        }
        EstimationProbe estimate = bucket.estimateAbilityToConsume(1);
        return estimate.canBeConsumed() ? 0 : Math.max(1, estimate.getNanosToWaitForRefill());
    }

    private long takeInRedis(String key, BucketConfiguration configuration, boolean consume) {
        Bandwidth limit = configuration.getBandwidths()[0];
        double perMs = limit.getRefillTokens() / (limit.getRefillPeriodNanos() / 1_000_000.0);
        String[] args = {
            Long.toString(limit.getCapacity()),
            Double.toString(perMs),
            Long.toString(clock.millis()),
            consume ? "1" : "0"
        };
        RedisCommands<String, String> redis = connection().sync();
        List<Object> answer;
        try {
            answer = redis.evalsha(takeSha, ScriptOutputType.MULTI, new String[] {key}, args);
        } catch (RedisNoScriptException e) {
            answer = redis.eval(TAKE_SCRIPT, ScriptOutputType.MULTI, new String[] {key}, args);
        }
        long taken = (Long) answer.get(0);
        long waitMs = (Long) answer.get(1);
        return taken == 1 ? 0 : Math.max(1, waitMs) * 1_000_000L;
    }

    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> open = connection;
        if (open == null) {
            synchronized (this) {
                open = connection;
                if (open == null) {
                    open = client.connect();
                    connection = open;
                }
            }
        }
        return open;
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        StatefulRedisConnection<String, String> open = connection;
        if (open != null) {
            open.closeAsync();
        }
        client.shutdownAsync();
    }
}
