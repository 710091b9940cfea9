package dev.courier.gateway;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.client.Api;

/**
 * The gateway of this JVM, started once on the shared Kafka, database and Redis, with send limits no test meets by
 * accident, and a second gateway, {@link #limited()}, with small limits for the tests of limits and a short change
 * timeout. Both write small TCP
 * send buffers, so a client that stops reading fills them after a few KiB, as on a slow mobile link. Every test class
 * of the module uses these two, so the module boots no other context.
 */
public final class TestGateway {

    private static ConfigurableApplicationContext context;

    private static ConfigurableApplicationContext limited;

    private static JdbcClient database;

    private static ConversationLog conversations;

    private TestGateway() {}

    public static synchronized ConfigurableApplicationContext context() {
        if (context == null) {
            context = start(
                    "--courier.gateway.limits.send-burst=1000000", "--courier.gateway.limits.sends-per-second=1000000");
            Infrastructure shared = CourierInfrastructure.shared();
            database = JdbcClient.create(
                    new DriverManagerDataSource(shared.jdbcUrl(), shared.dbUser(), shared.dbPassword()));
            // after the gateway declared the topic, and before any test sends
            conversations = new ConversationLog(shared.kafkaBootstrap());
        }
        return context;
    }

    /**
     * A gateway on the same servers whose limits tests reach: 5 sends at once and 1/s, 3 failed logins per user, 8 per
     * address, groups of 3, and a change timeout of 100 ms, so that a group or block call (which no expansion stage
     * decides in this module) answers {@code 202} pending at once.
     */
    public static synchronized ConfigurableApplicationContext limited() {
        context();
        if (limited == null) {
            limited = start(
                    "--courier.gateway.limits.send-burst=5",
                    "--courier.gateway.limits.sends-per-second=1",
                    "--courier.gateway.limits.failed-logins-per-user=3",
                    "--courier.gateway.limits.failed-logins-per-address=8",
                    "--courier.gateway.max-group-size=3",
                    "--courier.gateway.change-timeout=100ms");
        }
        return limited;
    }

    private static ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(CourierInfrastructure.shared().springArguments());
        args.addAll(List.of(
                "--server.port=0", "--spring.main.banner-mode=off", "--logging.include-application-name=false"));
        args.addAll(List.of(extra));
        ConfigurableApplicationContext started = GatewayApplication.builder()
                .initializers(ctx -> ctx.getBeanFactory()
                        .registerSingleton("smallSendBuffers", (TomcatConnectorCustomizer)
                                connector -> connector.setProperty("socket.txBufSize", "4096")))
                .registerShutdownHook(false)
                .logStartupInfo(false)
                .run(args.toArray(String[]::new));
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-test-gateway"));
        return started;
    }

    /** A client of the gateway ({@link Api#sync} is not there: no sync-api runs in this module). */
    public static Api api() {
        return new Api(baseUrl(), null);
    }

    public static Api limitedApi() {
        return new Api("http://127.0.0.1:" + port(limited()), null);
    }

    public static String baseUrl() {
        return "http://127.0.0.1:" + port(context());
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public static <T> T bean(Class<T> type) {
        return context().getBean(type);
    }

    /** The shared database itself, for what a test looks at or puts there. */
    public static JdbcClient database() {
        context();
        return database;
    }

    /** The records written to {@code courier.conversations} since the gateway started. */
    public static ConversationLog conversations() {
        context();
        return conversations;
    }
}
