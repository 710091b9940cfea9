package dev.courier.bench;

import java.util.Arrays;

import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.courier.bench.echo.EchoApplication;
import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.gateway.GatewayApplication;
import dev.courier.sync.SyncApiApplication;

/**
 * One service in a process of its own (role {@code service NAME --spring.args...}): {@code gateway}, {@code sync},
 * {@code fanout} (with the benchmark's {@link CommitProbe}) or {@code echo} (the trivial HTTP baseline). Runs until
 * standard input closes.
 */
final class ServiceMain {

    private ServiceMain() {
    }

    static void main(String[] args) {
        String[] springArgs = Arrays.copyOfRange(args, 1, args.length);
        SpringApplicationBuilder builder = switch (args[0]) {
            case "gateway" -> GatewayApplication.builder();
            case "sync" -> SyncApiApplication.builder();
            case "fanout" -> FanoutWorkerApplication.builder().sources(CommitProbe.class);
            case "echo" -> EchoApplication.builder();
            default -> throw new IllegalArgumentException("no service " + args[0]);
        };
        ParentWatch.exitWhenStdinCloses();
        builder.logStartupInfo(false).run(springArgs);
    }
}
