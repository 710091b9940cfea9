package dev.courier.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.HdrHistogram.Histogram;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The results: a table on standard output, {@code results.json} with every figure and the configuration, one
 * HdrHistogram percentile file ({@code .hgrm}) per latency, and a latency-percentile plot ({@code latency.png},
 * {@code latency.svg}).
 */
final class Report {

    private final Options options;

    private final List<Run> runs;

    private final Path out;

    private final PrintStream print = System.out;

    Report(Options options, List<Run> runs, Path out) {
        this.options = options;
        this.runs = runs;
        this.out = out;
    }

    /** A target: met or missed. */
    record Target(String name, double value, String comparison, double limit, String unit) {

        boolean met() {
            return comparison.equals(">=") ? value >= limit : value <= limit;
        }
    }

    void write(double totalSeconds) throws IOException {
        Map<String, Object> machine = machine();
        print.println();
        print.println("=".repeat(120));
        print.printf("Courier benchmark (%s mode, %.0f s) on %s%n", options.mode, totalSeconds, machine.get("summary"));
        print.println("=".repeat(120));

        print.println("\nBaselines (same servers, same run):");
        for (Run run : runs) {
            if (run.name.startsWith("baseline")) {
                double rate = rate(run);
                print.printf(
                        "  %-34s %,12.0f /s   latency p50 %7.2f ms  p99 %7.2f ms%n",
                        run.name,
                        rate,
                        percentile(run, run.histograms().containsKey(Run.ACCEPTED) ? Run.ACCEPTED : "batch commit", 50),
                        percentile(
                                run, run.histograms().containsKey(Run.ACCEPTED) ? Run.ACCEPTED : "batch commit", 99));
            }
        }

        print.println("\nScenarios:");
        print.printf(
                "  %-34s %10s %10s %12s %10s %8s%n",
                "", "accepted/s", "e2e msg/s", "inbox rows/s", "failed", "seconds");
        for (Run run : runs) {
            if (!run.name.startsWith("baseline")) {
                print.printf(
                        "  %-34s %10s %10s %12s %10s %8.1f%n",
                        run.name,
                        number(run, "accepted sends/s"),
                        number(run, "end-to-end messages/s"),
                        number(run, "inbox rows/s"),
                        number(run, "failed"),
                        (double) run.figures.getOrDefault("wall seconds", 0.0));
            }
        }

        print.println("\nLatencies (ms):");
        print.printf("  %-34s %-28s %9s %9s %9s %9s %9s%n", "", "", "count", "p50", "p99", "p99.9", "max");
        for (Run run : runs) {
            for (Map.Entry<String, Histogram> entry : run.histograms().entrySet()) {
                Histogram h = entry.getValue();
                print.printf(
                        "  %-34s %-28s %9d %9.2f %9.2f %9.2f %9.2f%n",
                        run.name,
                        entry.getKey(),
                        h.getTotalCount(),
                        h.getValueAtPercentile(50) / 1e3,
                        h.getValueAtPercentile(99) / 1e3,
                        h.getValueAtPercentile(99.9) / 1e3,
                        h.getMaxValue() / 1e3);
            }
        }

        print.println("\nCPU seconds per 1,000 messages (and cores busy), per process:");
        List<String> processes = new ArrayList<>();
        runs.forEach(run -> run.processes.keySet().forEach(p -> {
            if (!processes.contains(p)) {
                processes.add(p);
            }
        }));
        perProcess(print, processes, figures -> {
            Object perThousand = figures.get("cpu seconds per 1000 messages");
            Object busy = figures.get("cores busy");
            return perThousand == null ? "-" : String.format("%.2f (%.2f)", (double) perThousand, (double) busy);
        });
        print.printf("  %-34s", "peak RSS (MiB, whole run)");
        Map<String, Double> peaks = new LinkedHashMap<>();
        for (Run run : runs) {
            run.processes.forEach((process, figures) ->
                    peaks.merge(process, (Double) figures.getOrDefault("peak rss MiB", 0.0), Math::max));
        }
        processes.forEach(p -> print.printf(" %15.0f", peaks.getOrDefault(p, 0.0)));
        print.println();

        print.println(
                "\nOf each process's CPU, the share in the JIT compiler's threads (C1/C2; high means code still compiling):");
        perProcess(print, processes, figures -> {
            if (figures.get("cpu seconds") instanceof Double used
                    && figures.get("jit compiler cpu seconds") instanceof Double compiling
                    && !compiling.isNaN()
                    && used > 0) {
                return String.format("%.0f%%", compiling / used * 100);
            }
            return "-";
        });

        List<Target> targets = targets();
        Map<String, Double> ratios = ratios();
        print.println("\nRatios to the baselines:");
        ratios.forEach((name, value) -> print.printf("  %-70s %8.2f%n", name, value));
        print.println("\nTargets:");
        for (Target target : targets) {
            print.printf(
                    "  %-4s %-62s %12.2f %s %-10s %s%n",
                    target.met() ? "PASS" : "FAIL",
                    target.name(),
                    target.value(),
                    target.comparison(),
                    format(target.limit()),
                    target.unit());
        }
        for (Run run : runs) {
            if (!run.notes.isEmpty()) {
                print.printf("%nNotes from %s: %s%n", run.name, run.notes);
            }
        }

        writeHistograms();
        writeJson(machine, targets, ratios, totalSeconds, peaks);
        Map<String, Histogram> plotted = new LinkedHashMap<>();
        for (Run run : runs) {
            if (run.name.startsWith("direct, REST, half")
                    || run.name.startsWith("groups of 500")
                    || run.name.startsWith("sync")) {
                run.histograms().forEach((name, histogram) -> plotted.put(run.name + ": " + name, histogram));
            }
        }
        LatencyPlot.writePng(
                "Courier latency by percentile (" + machine.get("summary") + ")", plotted, out.resolve("latency.png"));
        LatencyPlot.writeSvg(
                "Courier latency by percentile (" + machine.get("summary") + ")", plotted, out.resolve("latency.svg"));
        print.printf("%nWritten: %s (results.json, latency.png, latency.svg, *.hgrm, logs/)%n", out);
    }

    /** The targets of the performance issue, each beside what it is measured against in the same run. */
    private List<Target> targets() {
        Run jdbc = find(Baselines.JDBC);
        Run rest = find("direct, REST, max");
        Run ws = find("direct, WebSocket, max");
        Run half = find("direct, REST, half load");
        Run lanes = find("direct, REST, half load beside groups of 500");
        Run group500 = find("groups of 500");
        Run sync = find("sync: drain ~50 messages per user");
        double fanoutRows = figure(group500, "inbox rows/s");
        double gateway = Math.max(figure(rest, "accepted sends/s"), figure(ws, "accepted sends/s"));
        return List.of(
                new Target(
                        "direct messages/s end to end, WebSocket",
                        figure(ws, "end-to-end messages/s"),
                        ">=",
                        1000,
                        "msg/s"),
                new Target(
                        "direct messages/s end to end, REST",
                        figure(rest, "end-to-end messages/s"),
                        ">=",
                        600,
                        "msg/s"),
                new Target(
                        "Courier CPU s (all services) per 1,000 direct WebSocket messages",
                        courierCpu(ws),
                        "<=",
                        1.3,
                        "s"),
                new Target(
                        "p99 send→inbox committed, direct at half max load",
                        percentile(half, Run.INBOX, 99),
                        "<=",
                        50,
                        "ms"),
                new Target(
                        "p99 send→visible through sync, direct at half max load",
                        percentile(half, Run.VISIBLE, 99),
                        "<=",
                        150,
                        "ms"),
                new Target("p99 sync query (drain)", percentile(sync, Run.SYNC, 99), "<=", 20, "ms"),
                new Target(
                        "fan-out inbox rows/s (groups of 500) ÷ JDBC baseline",
                        fanoutRows / figure(jdbc, "rows/s"),
                        ">=",
                        0.8,
                        "×"),
                new Target(
                        "p99 send→inbox, half load beside groups of 500 ÷ alone",
                        percentile(lanes, Run.INBOX, 99) / percentile(half, Run.INBOX, 99),
                        "<=",
                        2,
                        "×"),
                new Target("gateway sends/s ÷ min(Kafka, HTTP baselines)", gateway / smallerBaseline(), ">=", 0.5, "×"),
                new Target("inbox rows/s with groups of 500", fanoutRows, ">=", 20000, "rows/s"));
    }

    /** A table with a row per scenario and a column per process; {@code cell} formats a process's figures. */
    private void perProcess(PrintStream print, List<String> processes, Function<Map<String, Object>, String> cell) {
        print.printf("  %-34s", "");
        processes.forEach(p -> print.printf(" %15s", shortName(p)));
        print.println();
        for (Run run : runs) {
            if (run.name.startsWith("baseline")) {
                continue;
            }
            print.printf("  %-34s", run.name);
            for (String process : processes) {
                print.printf(" %15s", cell.apply(run.processes.getOrDefault(process, Map.of())));
            }
            print.println();
        }
    }

    /** Whether a process is one of Courier's own (not a server, the load, the echo service). */
    static boolean isCourier(String process) {
        return !(process.startsWith("bench")
                || process.startsWith("kafka")
                || process.equals("mariadb")
                || process.equals("redis")
                || process.startsWith("echo"));
    }

    /**
     * The share of Courier's CPU during the run that its JIT compiler threads used (NaN without figures): well
     * above a few per cent, the run measured code still being compiled.
     */
    static double courierCompilerShare(Run run) {
        double cpu = 0;
        double compiler = 0;
        for (Map.Entry<String, Map<String, Object>> process : run.processes.entrySet()) {
            if (isCourier(process.getKey())
                    && process.getValue().get("cpu seconds") instanceof Double used
                    && process.getValue().get("jit compiler cpu seconds") instanceof Double compiling
                    && !compiling.isNaN()) {
                cpu += used;
                compiler += compiling;
            }
        }
        return cpu > 0 ? compiler / cpu : Double.NaN;
    }

    /** CPU seconds per 1,000 messages of the run summed over Courier's own processes (not the servers, the load). */
    private static double courierCpu(Run run) {
        double sum = 0;
        boolean any = false;
        for (Map.Entry<String, Map<String, Object>> process : run.processes.entrySet()) {
            if (!isCourier(process.getKey())) {
                continue;
            }
            Object perThousand = process.getValue().get("cpu seconds per 1000 messages");
            if (perThousand instanceof Double value) {
                sum += value;
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    private Map<String, Double> ratios() {
        Map<String, Double> ratios = new LinkedHashMap<>();
        Run jdbc = find(Baselines.JDBC);
        for (Run run : runs) {
            if (run.figures.containsKey("inbox rows/s") && !run.name.startsWith("warm")) {
                ratios.put(
                        "inbox rows/s ÷ JDBC baseline: " + run.name,
                        figure(run, "inbox rows/s") / figure(jdbc, "rows/s"));
            }
        }
        Run group500 = find("groups of 500");
        if (group500.figures.containsKey("inbox rows/s, first to last commit")) {
            ratios.put(
                    "inbox rows/s from the first to the last commit ÷ JDBC baseline: groups of 500 (not a target)",
                    figure(group500, "inbox rows/s, first to last commit") / figure(jdbc, "rows/s"));
        }
        for (Run run : runs) {
            if (run.name.startsWith("direct") && run.name.endsWith("max")) {
                ratios.put(
                        "accepted sends/s ÷ min(Kafka, HTTP): " + run.name,
                        figure(run, "accepted sends/s") / smallerBaseline());
                ratios.put(
                        "accepted sends/s ÷ Kafka baseline: " + run.name,
                        figure(run, "accepted sends/s") / rate(find(Baselines.KAFKA)));
                ratios.put(
                        "accepted sends/s ÷ HTTP baseline: " + run.name,
                        figure(run, "accepted sends/s") / rate(find(Baselines.HTTP)));
            }
        }
        Run redis = find(Baselines.REDIS);
        ratios.put(
                "hints published/s needed by groups of 500 ÷ Redis PUBLISH baseline (upper bound: one per row)",
                figure(group500, "inbox rows/s") / rate(redis));
        for (Run run : runs) {
            if (run.name.startsWith("pushes")) {
                ratios.put(
                        "pushes/s ÷ webhook receiver baseline: " + run.name,
                        figure(run, "pushes/s") / rate(find(Baselines.WEBHOOK)));
            }
        }
        return ratios;
    }

    private double smallerBaseline() {
        return Math.min(rate(find(Baselines.KAFKA)), rate(find(Baselines.HTTP)));
    }

    private Run find(String name) {
        return runs.stream().filter(run -> run.name.equals(name)).findFirst().orElse(new Run(name));
    }

    private static double figure(Run run, String name) {
        Object value = run.figures.get(name);
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    private static double rate(Run run) {
        for (String name : List.of("operations/s", "rows/s", "requests/s")) {
            if (run.figures.containsKey(name)) {
                return figure(run, name);
            }
        }
        return Double.NaN;
    }

    private static double percentile(Run run, String histogram, double percentile) {
        Histogram h = run.histograms().get(histogram);
        return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e3;
    }

    private static String number(Run run, String name) {
        Object value = run.figures.get(name);
        if (value == null) {
            return "-";
        }
        return value instanceof Double d
                ? String.format("%,.0f", d)
                : String.format("%,d", ((Number) value).longValue());
    }

    private static String format(double value) {
        return value == Math.rint(value) ? String.format("%,.0f", value) : Double.toString(value);
    }

    private static String shortName(String process) {
        int space = process.indexOf(' ');
        return space > 0 ? process.substring(0, space) : process;
    }

    private void writeHistograms() throws IOException {
        for (Run run : runs) {
            for (Map.Entry<String, Histogram> entry : run.histograms().entrySet()) {
                Path file = out.resolve(fileName(run.name + "-" + entry.getKey()) + ".hgrm");
                try (PrintStream stream = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
                    entry.getValue().outputPercentileDistribution(stream, 5, 1000.0); // milliseconds
                }
            }
        }
    }

    private static String fileName(String name) {
        return name.toLowerCase()
                .replace("→", "-to-")
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
    }

    private void writeJson(
            Map<String, Object> machine,
            List<Target> targets,
            Map<String, Double> ratios,
            double seconds,
            Map<String, Double> peaks)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("configuration", options.all());
        json.put("seconds", seconds);
        List<Object> results = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("name", run.name);
            result.put("figures", run.figures);
            Map<String, Object> latencies = new LinkedHashMap<>();
            run.histograms().forEach((name, h) -> {
                Map<String, Object> latency = new LinkedHashMap<>();
                latency.put("unit", "ms");
                latency.put("count", h.getTotalCount());
                for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
                    latency.put(
                            "p" + (p == Math.rint(p) ? Integer.toString((int) p) : Double.toString(p)),
                            h.getValueAtPercentile(p) / 1e3);
                }
                latency.put("max", h.getMaxValue() / 1e3);
                latency.put("mean", h.getMean() / 1e3);
                ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
                int length = h.encodeIntoCompressedByteBuffer(buffer);
                latency.put(
                        "hdrHistogramMicros",
                        Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length)));
                latencies.put(name, latency);
            });
            result.put("latencies", latencies);
            result.put("processes", run.processes);
            result.put("notes", run.notes);
            results.add(result);
        }
        json.put("runs", results);
        json.put("peakRssMiB", peaks);
        json.put("ratios", ratios);
        List<Object> checked = new ArrayList<>();
        for (Target target : targets) {
            checked.add(Map.of(
                    "target",
                    target.name(),
                    "value",
                    target.value(),
                    "comparison",
                    target.comparison(),
                    "limit",
                    target.limit(),
                    "unit",
                    target.unit(),
                    "result",
                    target.met() ? "PASS" : "FAIL"));
        }
        json.put("targets", checked);
        JsonMapper mapper =
                JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(out.resolve("results.json"), mapper.writeValueAsString(json));
    }

    private static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        int cores = Runtime.getRuntime().availableProcessors();
        String cpu = "unknown CPU";
        long memoryKb = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse(cpu);
            memoryKb = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .orElse(0L);
        } catch (IOException e) {
            // not Linux
        }
        machine.put("cores", cores);
        machine.put("cpu", cpu);
        machine.put("memoryGiB", Math.round(memoryKb / 1024.0 / 1024.0));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("jvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put(
                "summary",
                cores + " cores (" + cpu + "), " + machine.get("memoryGiB") + " GiB, Java "
                        + System.getProperty("java.version"));
        return machine;
    }
}
