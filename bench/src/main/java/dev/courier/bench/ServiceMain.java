package dev.courier.bench;

import java.util.Arrays;

import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.courier.bench.echo.EchoApplication;
import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.gateway.GatewayApplication;
import dev.courier.push.PushWorkerApplication;
import dev.courier.sync.SyncApiApplication;
import dev.courier.system.CourierSystem;

/**
 * One service in a process of its own (role {@code service NAME --spring.args...}): {@code gateway}, {@code sync},
 * {@code fanout} (with the benchmark's {@link CommitProbe}), {@code push} or {@code echo} (the trivial HTTP baseline). Runs until
 * standard input closes.
 */
final class ServiceMain {

    private ServiceMain() {}

    static void main(String[] args) {
        if (args[0].equals("all")) {
            all(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        String[] springArgs = Arrays.copyOfRange(args, 1, args.length);
        SpringApplicationBuilder builder = switch (args[0]) {
            case "gateway" -> GatewayApplication.builder();
            case "sync" -> SyncApiApplication.builder();
            case "fanout" -> FanoutWorkerApplication.builder().sources(CommitProbe.class);
            case "echo" -> EchoApplication.builder();
            case "push" -> PushWorkerApplication.builder();
            default -> throw new IllegalArgumentException("no service " + args[0]);
        };
        ParentWatch.exitWhenStdinCloses();
        builder.logStartupInfo(false).run(springArgs);
    }

    /**
     * Every service in this one JVM, each its own Spring context as in the standalone jar (role
     * {@code service all GATEWAY_PORT SYNC_PORT FANOUT_PORT ECHO_PORT PUSH_PORT --spring.args...}).
     */
    private static void all(String[] args) {
        String[] common = Arrays.copyOfRange(args, 5, args.length);
        ParentWatch.exitWhenStdinCloses();
        run(FanoutWorkerApplication.builder().sources(CommitProbe.class), common, args[2]);
        // as in the standalone jar: the push-worker runs once a provider is configured (the push scenario's webhook)
        if (CourierSystem.pushConfigured(Arrays.asList(common))) {
            run(PushWorkerApplication.builder(), common, args[4]);
        }
        run(GatewayApplication.builder(), common, args[0]);
        run(SyncApiApplication.builder(), common, args[1]);
        run(EchoApplication.builder(), common, args[3]);
    }

    private static void run(SpringApplicationBuilder builder, String[] common, String port) {
        String[] springArgs = Arrays.copyOf(common, common.length + 2);
        springArgs[common.length] = "--server.port=" + port;
        // one logging system serves every context of the process
        springArgs[common.length + 1] = "--logging.include-application-name=false";
        builder.logStartupInfo(false).run(springArgs);
    }
}
