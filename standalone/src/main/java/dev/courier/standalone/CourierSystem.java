package dev.courier.standalone;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.courier.bridge.BridgeWorkerApplication;
import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.gateway.GatewayApplication;
import dev.courier.sync.SyncApiApplication;

/**
 * The four Courier services, each its own Spring application context with its own configuration, running in this JVM
 * against the given servers. The services do not know they share a process: they talk only through Kafka, the
 * database and Redis, exactly as when deployed apart.
 */
public final class CourierSystem implements AutoCloseable {

    private static final int FANOUT = 0;

    private final List<ConfigurableApplicationContext> contexts;

    private final List<String> serverArguments;

    private final List<String> extraArguments;

    private final int gatewayPort;

    private final int syncPort;

    private CourierSystem(List<ConfigurableApplicationContext> contexts, List<String> serverArguments,
            List<String> extraArguments, int gatewayPort, int syncPort) {
        this.contexts = contexts;
        this.serverArguments = serverArguments;
        this.extraArguments = extraArguments;
        this.gatewayPort = gatewayPort;
        this.syncPort = syncPort;
    }

    /**
     * Starts the workers, then the APIs.
     *
     * @param serverArguments {@code --name=value} arguments naming the servers (Kafka, database, Redis)
     * @param gatewayPort the gateway's HTTP port, 0 for any free port
     * @param syncPort the sync-api's HTTP port, 0 for any free port
     * @param extraArguments more {@code --name=value} arguments, given to every service
     */
    public static CourierSystem start(List<String> serverArguments, int gatewayPort, int syncPort,
            List<String> extraArguments) {
        List<ConfigurableApplicationContext> started = new ArrayList<>();
        try {
            started.add(run(FanoutWorkerApplication.builder(), serverArguments, extraArguments));
            started.add(run(BridgeWorkerApplication.builder(), serverArguments, extraArguments));
            ConfigurableApplicationContext sync = run(SyncApiApplication.builder(), serverArguments,
                    with(extraArguments, "--server.port=" + syncPort));
            started.add(sync);
            ConfigurableApplicationContext gateway = run(GatewayApplication.builder(), serverArguments,
                    with(extraArguments, "--server.port=" + gatewayPort));
            started.add(gateway);
            return new CourierSystem(started, serverArguments, extraArguments, port(gateway), port(sync));
        } catch (RuntimeException e) {
            new CourierSystem(started, serverArguments, extraArguments, 0, 0).close();
            throw e;
        }
    }

    private static ConfigurableApplicationContext run(SpringApplicationBuilder builder, List<String> servers,
            List<String> extra) {
        List<String> args = new ArrayList<>(servers);
        // one logging system serves every context of the process: a per-context name would be wrong
        args.add("--logging.include-application-name=false");
        args.add("--spring.main.banner-mode=off");
        args.addAll(extra);
        // one shutdown hook for the whole process (see CourierStandalone), so services stop in order
        return builder.registerShutdownHook(false).logStartupInfo(false).run(args.toArray(String[]::new));
    }

    private static List<String> with(List<String> args, String arg) {
        List<String> all = new ArrayList<>(args);
        all.add(arg);
        return all;
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    public int syncPort() {
        return syncPort;
    }

    /** The one bean of this type in any of the services (for operations and tests, such as running retention now). */
    public synchronized <T> T bean(Class<T> type) {
        for (ConfigurableApplicationContext context : contexts) {
            if (context.isActive() && context.getBeanProvider(type).getIfUnique() != null) {
                return context.getBean(type);
            }
        }
        throw new IllegalArgumentException("no service has a " + type.getName());
    }

    /** A bean of one service, named by its {@code spring.application.name} (for example courier-bridge-worker). */
    public synchronized <T> T bean(String service, Class<T> type) {
        for (ConfigurableApplicationContext context : contexts) {
            if (context.isActive() && service.equals(context.getEnvironment().getProperty("spring.application.name"))) {
                return context.getBean(type);
            }
        }
        throw new IllegalArgumentException("no running service " + service);
    }

    /** Stops this process's fanout-worker, as if its instance went away; the rest keeps running. */
    public synchronized void stopFanoutWorker() {
        contexts.get(FANOUT).close();
    }

    /** Starts this process's fanout-worker again after {@link #stopFanoutWorker()}. */
    public synchronized void startFanoutWorker() {
        if (!contexts.get(FANOUT).isActive()) {
            contexts.set(FANOUT, run(FanoutWorkerApplication.builder(), serverArguments, extraArguments));
        }
    }

    /** Stops the APIs first (no new work), then the workers (which commit what they finished). */
    @Override
    public synchronized void close() {
        for (int i = contexts.size() - 1; i >= 0; i--) {
            contexts.get(i).close();
        }
    }
}
