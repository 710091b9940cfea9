package dev.courier.fanout;

import java.util.ArrayList;
import java.util.List;

import org.springframework.context.ConfigurableApplicationContext;

/** The real fanout-worker, both stages, on the shared servers of this JVM. */
public final class TestFanoutWorker {

    private TestFanoutWorker() {}

    /** Starts the worker in this JVM; the caller closes it, so that no other test finds it consuming. */
    public static ConfigurableApplicationContext start() {
        return FanoutWorkerApplication.builder()
                .registerShutdownHook(false)
                .logStartupInfo(false)
                .run(arguments().toArray(String[]::new));
    }

    /** The program arguments of a worker on the shared servers (also for one in a JVM of its own). */
    public static List<String> arguments() {
        List<String> args = new ArrayList<>(TestServers.infrastructure().springArguments());
        args.add("--server.port=0");
        args.add("--spring.main.banner-mode=off");
        return args;
    }
}
