package dev.courier.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's settings: a mode ({@code --quick}, the default, under three minutes; {@code --full}, longer runs
 * and more users) whose sizes any {@code --name=value} overrides. Arguments starting with {@code --spring.} or
 * {@code --courier.} are passed to every service.
 */
final class Options {

    private static final Map<String, String> QUICK = new LinkedHashMap<>();

    private static final Map<String, String> FULL = new LinkedHashMap<>();

    private static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        // name, quick, full, meaning (printed by --help)
        define("out", "bench-results", "bench-results", "directory for results (a sub-directory per run)");
        define("layout", "single", "separate", "single: all services in one JVM (standalone); separate: one each");
        define(
                "warmup-seconds",
                "300",
                "600",
                "at most this long sending before measuring, until the rate is steady and the JIT compiler quiet");
        define("baseline-seconds", "3", "15", "duration of each baseline");
        define("senders", "100", "200", "direct chat: senders, each writing to its own partner");
        define("connections", "32", "32", "direct chat over REST: concurrent connections (closed loop)");
        define("direct-seconds", "6", "40", "direct chat: duration of each run");
        define("ws-sockets", "16", "16", "direct chat over the gateway WebSocket: sockets");
        define("ws-window", "8", "8", "direct chat over the gateway WebSocket: sends in flight per socket");
        define("online", "1.0", "1.0", "direct chat: share of recipients holding a /v1/stream (hints, syncs)");
        define("groups50", "20", "40", "groups of 50 members (their members drain ~50 messages each in 'sync')");
        define("group50-messages", "50", "50", "messages sent to each group of 50");
        define("groups500", "4", "8", "groups of 500 members");
        define("group500-messages", "100", "250", "messages sent to each group of 500");
        define(
                "group-warmup-seconds",
                "60",
                "180",
                "at most this long sending to groups of 500 of their own before measuring them, until the rate is steady"
                        + " and the JIT compiler quiet");
        define("group-connections", "16", "16", "group sends: concurrent connections (closed loop)");
        define("group-online", "1", "2", "online members (holding a /v1/stream) per group");
        define("sync-concurrency", "8", "8", "sync drain: concurrent clients");
        define(
                "drain-warmup-seconds",
                "40",
                "90",
                "at most this long draining small groups of 50 of their own before measuring the drain, until its rate"
                        + " is steady and the JIT compiler quiet");
        define("long-polls", "500", "5000", "long polls held at once, then woken by one message each");
        define("push-devices", "1000", "1000", "pushes: offline devices with a webhook token, one message each");
        define(
                "scenarios",
                "all",
                "all",
                "all; push: the warm-up, then only the push scenario and its baseline; groups: the warm-up, then only the JDBC baseline and groups of 500");
        define("text-bytes", "100", "100", "size of each text message");
        define("jfr", "false", "false", "record each process with Java Flight Recorder (logs/*.jfr)");
        define("kafka", "", "", "external Kafka bootstrap servers (with --db-url and --redis: no embedded servers)");
        define("db-url", "", "", "external database JDBC URL");
        define("db-user", "courier", "courier", "external database user");
        define("db-password", "courier", "courier", "external database password");
        define("redis", "", "", "external Redis URL");
    }

    private final Map<String, String> values;

    private final List<String> passThrough;

    final String mode;

    private static void define(String name, String quick, String full, String help) {
        QUICK.put(name, quick);
        FULL.put(name, full);
        HELP.put(name, help);
    }

    private Options(String mode, Map<String, String> values, List<String> passThrough) {
        this.mode = mode;
        this.values = values;
        this.passThrough = passThrough;
    }

    static Options parse(String[] args) {
        boolean full = List.of(args).contains("--full");
        Map<String, String> values = new LinkedHashMap<>(full ? FULL : QUICK);
        List<String> passThrough = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (arg.equals("--quick") || arg.equals("--full")) {
                continue;
            } else if (arg.startsWith("--spring.") || arg.startsWith("--courier.")) {
                passThrough.add(arg);
            } else if (arg.startsWith("--") && eq > 2 && values.containsKey(arg.substring(2, eq))) {
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg + "; try --help");
            }
        }
        return new Options(full ? "full" : "quick", values, passThrough);
    }

    static String help() {
        StringBuilder help = new StringBuilder("""
                usage: java -jar courier-bench.jar [--quick|--full] [--name=value ...] [--spring.*|--courier.*=value]

                """);
        HELP.forEach((name, text) -> help.append(String.format(
                "  --%-18s %-40s quick %s, full %s%n",
                name,
                text,
                QUICK.get(name).isEmpty() ? "-" : QUICK.get(name),
                FULL.get(name).isEmpty() ? "-" : FULL.get(name))));
        return help.toString();
    }

    String get(String name) {
        return values.get(name);
    }

    int integer(String name) {
        return Integer.parseInt(values.get(name));
    }

    double decimal(String name) {
        return Double.parseDouble(values.get(name));
    }

    boolean external() {
        return !values.get("kafka").isEmpty();
    }

    List<String> passThrough() {
        return passThrough;
    }

    Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>(values);
        all.put("mode", mode);
        all.put("service arguments", String.join(" ", passThrough));
        return all;
    }
}
