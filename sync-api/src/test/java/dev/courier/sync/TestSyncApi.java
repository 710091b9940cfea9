package dev.courier.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import dev.courier.common.AccessTokens;
import dev.courier.common.Json;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.TcpProxy;
import dev.courier.testinfra.client.Api;

/**
 * The sync-api of this JVM, started once on the shared database and Redis, each reached through a {@link TcpProxy}
 * that a test can cut. It logs in to Redis as a user of its own, whose channel permissions a test can take away: Redis
 * then refuses its subscriptions while the connection stays up. It writes small TCP send buffers, so a client that
 * stops reading fills them after a few KiB, as on a slow mobile link. Every test class of the module uses it, so the
 * module boots no other context.
 */
final class TestSyncApi {

    static final String REDIS_USER = "courier-sync-tests";

    private static final String REDIS_PASSWORD = "courier-sync-tests-password";

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static ConfigurableApplicationContext context;

    private static TcpProxy database;

    private static TcpProxy redis;

    private static JdbcClient direct;

    private static RedisCommands<String, String> redisDirect;

    private TestSyncApi() {}

    static synchronized ConfigurableApplicationContext context() {
        if (context == null) {
            Infrastructure shared = CourierInfrastructure.shared();
            URI db = URI.create(shared.jdbcUrl().substring("jdbc:".length()));
            database = TcpProxy.to(db.getHost(), db.getPort());
            URI redisUri = URI.create(shared.redisUrl());
            redis = TcpProxy.to(redisUri.getHost(), redisUri.getPort());
            direct = JdbcClient.create(
                    new DriverManagerDataSource(shared.jdbcUrl(), shared.dbUser(), shared.dbPassword()));
            redisDirect = RedisClient.create(shared.redisUrl()).connect().sync();
            redisDirect.aclSetuser(
                    REDIS_USER,
                    AclSetuserArgs.Builder.on()
                            .addPassword(REDIS_PASSWORD)
                            .allKeys()
                            .allChannels()
                            .allCommands());
            String proxiedDb = shared.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + database.port() + "/");
            context = SyncApiApplication.builder()
                    // small TCP send buffers: a client that stops reading fills them after a few KiB, not MiB
                    .initializers(ctx -> ctx.getBeanFactory()
                            .registerSingleton("smallSendBuffers", (TomcatConnectorCustomizer)
                                    connector -> connector.setProperty("socket.txBufSize", "4096")))
                    .registerShutdownHook(false)
                    .logStartupInfo(false)
                    .run(
                            "--server.port=0",
                            "--spring.main.banner-mode=off",
                            "--spring.datasource.url=" + proxiedDb,
                            "--spring.datasource.username=" + shared.dbUser(),
                            "--spring.datasource.password=" + shared.dbPassword(),
                            "--spring.datasource.hikari.connection-timeout=1000",
                            "--spring.data.redis.url=redis://" + REDIS_USER + ":" + REDIS_PASSWORD + "@127.0.0.1:"
                                    + redis.port(),
                            "--courier.sync.retention.interval=0",
                            // presence keys live 2 s and a long poll's 1 s beyond its answer: the tests see them go
                            "--courier.sync.presence.refresh=1s",
                            "--courier.sync.presence.long-poll-grace=1s");
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                context.close();
                                database.close();
                                redis.close();
                            },
                            "stop-test-sync-api"));
        }
        return context;
    }

    static TcpProxy database() {
        context();
        return database;
    }

    static TcpProxy redis() {
        context();
        return redis;
    }

    /**
     * Lets Redis through again and waits until a subscription made now is confirmed: the sync-api's connection is
     * back, and whatever it wrote on reconnecting was written before.
     */
    static void redisBack() {
        redis().restore();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!hints().connected()) {
                return false;
            }
            try (HintSubscriptions.Subscription probe = hints().subscribe(uniqueId("probe"), hint -> {})) {
                probe.ready().join();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    static HintSubscriptions hints() {
        return context().getBean(HintSubscriptions.class);
    }

    /** Commands on the shared Redis itself, not through the proxy. */
    static RedisCommands<String, String> redisDirect() {
        context();
        return redisDirect;
    }

    /** Takes away (or gives back) the sync-api's permission to subscribe to any channel. */
    static void channelsAllowed(boolean allowed) {
        AclSetuserArgs args = allowed ? AclSetuserArgs.Builder.allChannels() : AclSetuserArgs.Builder.resetChannels();
        redisDirect().aclSetuser(REDIS_USER, args);
    }

    /** How many connections subscribe to the user's hint channel. */
    static long subscribers(String userId) {
        return redisDirect()
                .pubsubNumsub(dev.courier.common.Hints.channel(userId))
                .values()
                .iterator()
                .next();
    }

    /** How many subscriptions to the user's hint channel Redis refused (its ACL log). */
    static long refusedSubscriptions(String userId) {
        String channel = dev.courier.common.Hints.channel(userId);
        return redisDirect().aclLog().stream()
                .filter(entry -> channel.equals(String.valueOf(entry.get("object"))))
                .mapToLong(entry -> Long.parseLong(String.valueOf(entry.get("count"))))
                .sum();
    }

    static long publishInboxHint(String userId, long seq) {
        return redisDirect().publish(dev.courier.common.Hints.channel(userId), Long.toString(seq));
    }

    /** A signed-in device of a new user; returns its token. */
    static String newUser(String userId) {
        context();
        direct.sql("INSERT INTO accounts (user_id, display_name, created_at) VALUES (:u, :u, 0)")
                .param("u", userId)
                .update();
        direct.sql("INSERT INTO devices (user_id, device_id, created_at, last_login_at) VALUES (:u, 'phone', 0, 0)")
                .param("u", userId)
                .update();
        return context().getBean(AccessTokens.class).issue(userId, "phone").token();
    }

    /** A signed-in device ({@code phone}) of a new user. */
    static Api.Session newSession(String prefix) {
        String userId = uniqueId(prefix);
        return new Api.Session(userId, "phone", newUser(userId));
    }

    /** Another signed-in device of the user, logged in at {@code loginAt} (epoch ms). */
    static Api.Session newDevice(String userId, String deviceId, long loginAt) {
        context();
        direct.sql("INSERT INTO devices (user_id, device_id, created_at, last_login_at) VALUES (?, ?, ?, ?)")
                .params(userId, deviceId, loginAt, loginAt)
                .update();
        return new Api.Session(
                userId,
                deviceId,
                context().getBean(AccessTokens.class).issue(userId, deviceId).token());
    }

    /** A client of the sync-api ({@link Api#gateway} is not there: no gateway runs in this module). */
    static Api api() {
        return new Api(null, baseUrl());
    }

    static String baseUrl() {
        return "http://127.0.0.1:"
                + ((WebServerApplicationContext) context()).getWebServer().getPort();
    }

    /** The shared database itself, not through the proxy. */
    static JdbcClient jdbc() {
        context();
        return direct;
    }

    static long publishHint(String userId, String what) {
        return redisDirect().publish(dev.courier.common.Hints.channel(userId), what);
    }

    static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    record Answer(int status, JsonNode body) {}

    /** The key of a first sync, once one is answered (the database may still be coming back from a cut). */
    static String firstSyncKey(String token) {
        return org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> sync(token, null, 0), answer -> answer.status() == 200)
                .body()
                .path("syncKey")
                .asString();
    }

    /** {@code POST /v1/sync?waitMs=} with the key ({@code null}: first sync). */
    static Answer sync(String token, String syncKey, long waitMs) {
        int port = ((WebServerApplicationContext) context()).getWebServer().getPort();
        String body = syncKey == null
                ? "{}"
                : Json.MAPPER.createObjectNode().put("syncKey", syncKey).toString();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/sync?waitMs=" + waitMs))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), Json.MAPPER.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
