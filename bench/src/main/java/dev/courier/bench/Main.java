package dev.courier.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The benchmark jar's entry point. Without a role it runs the benchmark ({@link Bench}); the benchmark starts its
 * servers and services as child processes of this same jar, each with a role:
 *
 * <pre>
 * java -jar courier-bench.jar [--quick|--full] [options]     the benchmark (see Bench, or --help)
 * java -jar courier-bench.jar long-polls --polls=10000 ...   long-poll capacity of a running Courier
 * java -jar courier-bench.jar infra|service NAME ...         children started by the benchmark
 * </pre>
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        String role = args.length == 0 ? "" : args[0];
        switch (role) {
            case "infra" -> Infra.main(rest.toArray(String[]::new));
            case "service" -> ServiceMain.main(rest.toArray(String[]::new));
            case "long-polls" -> LongPollCapacity.main(rest.toArray(String[]::new));
            default -> {
                if (Arrays.stream(args).anyMatch(arg -> arg.startsWith("--polls="))) {
                    LongPollCapacity.main(args); // the earlier command line, as the README gave it
                } else {
                    // the benchmark's own Kafka and JDBC clients log warnings only: the report is its output (the
                    // services it starts keep their own logging, in logs/)
                    System.setProperty("logback.configurationFile", "bench-logback.xml");
                    Bench.main(args);
                }
            }
        }
    }
}
