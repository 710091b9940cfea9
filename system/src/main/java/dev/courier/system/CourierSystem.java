package dev.courier.system;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.courier.bridge.BridgeWorkerApplication;
import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.gateway.GatewayApplication;
import dev.courier.push.PushWorkerApplication;
import dev.courier.sync.SyncApiApplication;

/**
 * The Courier services, each its own Spring application context with its own configuration, running in this JVM
 * against the given servers: the gateway, the sync-api, the fanout-worker, the bridge-worker, and the push-worker once
 * a push provider is configured ({@link #PUSH_SWITCHES}). The services do not know they share a process: they talk
 * only through Kafka, the database and Redis, exactly as when deployed apart.
 */
public final class CourierSystem implements AutoCloseable {

    public static final String FANOUT_WORKER = "courier-fanout-worker";

    public static final String BRIDGE_WORKER = "courier-bridge-worker";

    public static final String SYNC_API = "courier-sync-api";

    public static final String GATEWAY = "courier-gateway";

    public static final String PUSH_WORKER = "courier-push-worker";

    /**
     * The settings that turn a push provider on (the webhook by its URL, APNs by its key id, FCM by its service
     * account), as arguments or environment variables: without any, the push-worker is not started (nothing would
     * be sent, and the inbox writer publishes push candidates only for devices with a token anyway).
     */
    public static final List<String> PUSH_SWITCHES =
            List.of("courier.push.webhook.url", "courier.push.apns.key-id", "courier.push.fcm.service-account");

    private record Service(Supplier<SpringApplicationBuilder> builder, List<String> args) {}

    /** In start order: workers first, then the APIs. */
    private final Map<String, Service> services = new LinkedHashMap<>();

    private final Map<String, ConfigurableApplicationContext> running = new LinkedHashMap<>();

    /** The HTTP port of each service, 0 for any free port (the workers' ports serve only {@code /actuator}). */
    public record Ports(int gateway, int sync, int fanout, int bridge, int push) {

        public Ports(int gateway, int sync, int fanout, int bridge) {
            this(gateway, sync, fanout, bridge, 0);
        }

        public static Ports any() {
            return new Ports(0, 0, 0, 0, 0);
        }
    }

    private CourierSystem(List<String> serverArguments, Ports ports, List<String> extraArguments) {
        services.put(
                FANOUT_WORKER,
                new Service(
                        FanoutWorkerApplication::builder,
                        args(serverArguments, extraArguments, "--server.port=" + ports.fanout())));
        services.put(
                BRIDGE_WORKER,
                new Service(
                        BridgeWorkerApplication::builder,
                        args(serverArguments, extraArguments, "--server.port=" + ports.bridge())));
        if (pushConfigured(extraArguments)) {
            services.put(
                    PUSH_WORKER,
                    new Service(
                            PushWorkerApplication::builder,
                            args(serverArguments, extraArguments, "--server.port=" + ports.push())));
        }
        int gatewayPort = ports.gateway();
        int syncPort = ports.sync();
        services.put(
                SYNC_API,
                new Service(
                        SyncApiApplication::builder,
                        args(serverArguments, extraArguments, "--server.port=" + syncPort)));
        services.put(
                GATEWAY,
                new Service(
                        GatewayApplication::builder,
                        args(serverArguments, extraArguments, "--server.port=" + gatewayPort)));
    }

    /**
     * Starts the workers, then the APIs.
     *
     * @param serverArguments {@code --name=value} arguments naming the servers (Kafka, database, Redis)
     * @param gatewayPort the gateway's HTTP port, 0 for any free port (kept across {@link #stop}/{@link #start})
     * @param syncPort the sync-api's HTTP port, 0 for any free port (kept likewise)
     * @param extraArguments more {@code --name=value} arguments, given to every service
     */
    public static CourierSystem start(
            List<String> serverArguments, int gatewayPort, int syncPort, List<String> extraArguments) {
        return start(serverArguments, new Ports(gatewayPort, syncPort, 0, 0), extraArguments);
    }

    /** Starts the workers, then the APIs, each on its port. */
    public static CourierSystem start(List<String> serverArguments, Ports ports, List<String> extraArguments) {
        CourierSystem system = new CourierSystem(serverArguments, ports, extraArguments);
        try {
            system.services.keySet().forEach(system::start);
            return system;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    /** Whether one of {@link #PUSH_SWITCHES} is set, in the arguments, a system property or the environment. */
    public static boolean pushConfigured(List<String> arguments) {
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .addFirst(new SimpleCommandLinePropertySource(arguments.toArray(String[]::new)));
        return PUSH_SWITCHES.stream().anyMatch(name -> {
            String value = environment.getProperty(name);
            return value != null && !value.isBlank();
        });
    }

    private static List<String> args(List<String> servers, List<String> extra, String... more) {
        List<String> args = new ArrayList<>(servers);
        // one logging system serves every context of the process: a per-context name would be wrong
        args.add("--logging.include-application-name=false");
        args.add("--spring.main.banner-mode=off");
        args.addAll(extra);
        args.addAll(List.of(more));
        return args;
    }

    /** Starts one service (again); an API restarts on the port it had. */
    public synchronized void start(String name) {
        ConfigurableApplicationContext current = running.get(name);
        if (current != null && current.isActive()) {
            return;
        }
        Service service = services.get(name);
        if (service == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        // one shutdown hook for the whole process (see CourierStandalone), so services stop in order
        ConfigurableApplicationContext context = service.builder()
                .get()
                .registerShutdownHook(false)
                .logStartupInfo(false)
                .run(service.args().toArray(String[]::new));
        running.put(name, context);
        if (context instanceof WebServerApplicationContext web) {
            // a restart binds the same port, so clients find the service where it was
            List<String> args = new ArrayList<>(service.args());
            args.removeIf(arg -> arg.startsWith("--server.port="));
            args.add("--server.port=" + web.getWebServer().getPort());
            services.put(name, new Service(service.builder(), args));
        }
    }

    /** Stops one service, gracefully, as if its instance went away; the others keep running. */
    public synchronized void stop(String name) {
        ConfigurableApplicationContext context = running.remove(name);
        if (context != null) {
            context.close();
        }
    }

    public int gatewayPort() {
        return port(GATEWAY);
    }

    public int syncPort() {
        return port(SYNC_API);
    }

    public int fanoutPort() {
        return port(FANOUT_WORKER);
    }

    public int bridgePort() {
        return port(BRIDGE_WORKER);
    }

    /** Whether the push-worker is part of this system (a push provider is configured). */
    public boolean hasPushWorker() {
        return services.containsKey(PUSH_WORKER);
    }

    public int pushPort() {
        return port(PUSH_WORKER);
    }

    private synchronized int port(String name) {
        Service service = services.get(name);
        if (service == null) {
            throw new IllegalStateException(name + " is not part of this system");
        }
        for (String arg : service.args()) {
            if (arg.startsWith("--server.port=")) {
                return Integer.parseInt(arg.substring("--server.port=".length()));
            }
        }
        throw new IllegalStateException(name + " has no port");
    }

    /** The one bean of this type in any running service (for operations and tests). */
    public synchronized <T> T bean(Class<T> type) {
        for (ConfigurableApplicationContext context : running.values()) {
            if (context.isActive() && context.getBeanProvider(type).getIfUnique() != null) {
                return context.getBean(type);
            }
        }
        throw new IllegalArgumentException("no service has a " + type.getName());
    }

    /** A bean of one running service, named by its {@code spring.application.name} (see the constants). */
    public synchronized <T> T bean(String service, Class<T> type) {
        ConfigurableApplicationContext context = running.get(service);
        if (context == null || !context.isActive()) {
            throw new IllegalArgumentException("no running service " + service);
        }
        return context.getBean(type);
    }

    /** Stops the APIs first (no new work), then the workers (which commit what they finished). */
    @Override
    public synchronized void close() {
        List<String> names = new ArrayList<>(running.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            stop(names.get(i));
        }
    }
}
