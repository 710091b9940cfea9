package dev.courier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CPU time and resident memory of the processes under test, read from {@code /proc} (Linux): each scenario reports
 * the CPU seconds each process spent during it and the largest resident set seen, sampled every 200 ms.
 */
final class Processes implements AutoCloseable {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on every Linux architecture in use

    private final Map<String, Long> pids = new LinkedHashMap<>();

    private final Map<String, Long> peakRssKb = new ConcurrentHashMap<>();

    private final Thread sampler;

    private volatile boolean running = true;

    Processes() {
        sampler = Thread.ofPlatform().daemon().name("bench-rss-sampler").start(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(200); // a sampling period, not a wait for a result
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    synchronized void add(String name, long pid) {
        pids.put(name, pid);
    }

    synchronized Map<String, Long> pids() {
        return new LinkedHashMap<>(pids);
    }

    /** CPU seconds used so far by each process, and of them by its JIT compiler threads. */
    record Cpu(Map<String, Double> total, Map<String, Double> compiler) {}

    Cpu snapshot() {
        return new Cpu(cpu(), compilerCpu());
    }

    /** CPU seconds (user + system) each process has used so far. */
    Map<String, Double> cpu() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        pids().forEach((name, pid) -> {
            try {
                String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                cpu.put(name, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND);
            } catch (IOException | RuntimeException e) {
                cpu.put(name, Double.NaN);
            }
        });
        return cpu;
    }

    /**
     * CPU seconds (user + system) the JIT compiler threads of each Java process have used so far ({@code C1/C2
     * CompilerThread*}, named so by HotSpot; NaN for a process without them, not a JVM). A scenario during which a service still
     * compiles measures code that is not yet what it runs as for the rest of its life.
     */
    Map<String, Double> compilerCpu() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        pids().forEach((name, pid) -> {
            long ticks = 0;
            boolean java = false;
            try (var tasks = Files.list(Path.of("/proc", pid.toString(), "task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                            java = true;
                            String[] fields =
                                    stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        }
                    } catch (IOException | RuntimeException e) {
                        // a thread that ended between the listing and the read
                    }
                }
                cpu.put(name, java ? ticks / TICKS_PER_SECOND : Double.NaN);
            } catch (IOException | RuntimeException e) {
                cpu.put(name, Double.NaN);
            }
        });
        return cpu;
    }

    /** Starts a new window of peak memory. */
    void resetPeaks() {
        peakRssKb.clear();
        sample();
    }

    /** Peak resident memory (MiB) of each process since {@link #resetPeaks()}. */
    Map<String, Double> peakRssMb() {
        sample();
        Map<String, Double> peaks = new LinkedHashMap<>();
        pids().keySet().forEach(name -> peaks.put(name, peakRssKb.getOrDefault(name, 0L) / 1024.0));
        return peaks;
    }

    private void sample() {
        pids().forEach((name, pid) -> {
            long rss = status(pid, "VmRSS:");
            peakRssKb.merge(name, rss, Math::max);
        });
    }

    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
