package dev.courier.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark: starts the servers and services as separate processes (see {@link Cluster}), measures the baselines,
 * then the scenarios, and reports every figure beside its baseline with the targets met or missed.
 *
 * <pre>
 * java -jar bench/target/courier-bench.jar            quick mode, under three minutes
 * java -jar bench/target/courier-bench.jar --full     longer runs, more users
 * java -jar bench/target/courier-bench.jar --help     every size and option
 * </pre>
 */
final class Bench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Options options;

    private final String runId;

    private final Path out;

    private final List<Run> runs = new ArrayList<>();

    private Cluster cluster;

    private Probe probe;

    private Population population;

    private Load load;

    private final Streams streams = new Streams();

    private WebhookSink sink;

    private Bench(Options options) {
        this.options = options;
        this.runId =
                Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36).substring(0, 6);
        this.out = Path.of(
                        options.get("out"),
                        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + options.mode)
                .toAbsolutePath();
    }

    static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(Options.help());
            return;
        }
        Bench bench = new Bench(Options.parse(args));
        bench.run();
        // the HTTP client and the stream sockets keep non-daemon threads
        System.exit(0);
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(out.resolve("logs"));
        say("Courier benchmark, %s mode; results in %s", options.mode, out);
        probe = new Probe();
        sink = new WebhookSink("bench-webhook-" + runId);
        String secret = "bench-" + runId + "-" + Long.toString(System.nanoTime(), 36) + "-token-secret-32+";
        cluster = new Cluster(out.resolve("logs"), secret);
        try {
            cluster.start(options, probe.port(), sink.url(), "bench-webhook-" + runId);
            say("servers and services up in %.0f s: %s", (System.nanoTime() - started) / 1e9, cluster.pids());
            population = new Population(cluster.servers, secret, runId);
            load = new Load(cluster.gateway, population, options.integer("text-bytes"), runId);
            measureAll();
        } finally {
            streams.close();
            cluster.close();
            probe.close();
            sink.close();
        }
        Report report = new Report(options, runs, out);
        report.write((System.nanoTime() - started) / 1e9);
    }

    private void measureAll() throws Exception {
        int connections = options.integer("connections");
        int senders = options.integer("senders");
        List<String> from = population.users("s", senders);
        List<String> to = population.users("r", senders);
        List<Load.Sender> direct = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            direct.add(new Load.Sender(from.get(i), "u:" + to.get(i), 2));
        }

        int online = (int) Math.round(senders * options.decimal("online"));
        streams.connect(cluster.sync, population, to.subList(0, online));
        say("%d direct recipients online (holding /v1/stream)", online);

        // every process compiles its hot paths first, and C2 on two busy cores takes minutes for all of Courier's (on
        // this machine the direct rate rose fourfold over the first four minutes while the JIT compiler used a quarter
        // to a third of Courier's CPU): send in windows of 5 s until the rate stops rising and the compiler is quiet,
        // then measure
        warmUp("warm-up", 4, options.decimal("warmup-seconds"), run -> load.closedLoop(run, direct, connections, 5, 0));
        if (options.get("scenarios").equals("push")) {
            pushes();
            return;
        }
        if (options.get("scenarios").equals("groups")) {
            groupsOnly();
            return;
        }

        // baselines, on the same servers, once every process is warm: each is run briefly first, unmeasured
        Baselines warm = new Baselines(cluster.servers, 2);
        Baselines baselines = new Baselines(cluster.servers, options.decimal("baseline-seconds"));
        int textBytes = options.integer("text-bytes");
        warm.kafka(connections, textBytes, 8);
        runs.add(baseline(() -> baselines.kafka(connections, textBytes, 8)));
        warm.jdbc(inboxWriters(), 1000, 2000);
        runs.add(baseline(() -> baselines.jdbc(inboxWriters(), 1000, 2000)));
        warm.redis(connections);
        runs.add(baseline(() -> baselines.redis(connections)));
        // the echo service runs in a JVM of its own with --layout=separate: nothing has warmed it yet
        for (int window = 0; window < (options.get("layout").equals("separate") ? 10 : 1); window++) {
            warm.http(cluster.echo, connections, textBytes);
        }
        runs.add(baseline(() -> baselines.http(cluster.echo, connections, textBytes)));

        // the echo baseline ran other code in Courier's JVM, and the servers were busy with their own baselines: the
        // direct path again until the compiler is quiet, then the WebSocket path, which nothing has sent through yet
        warmUp("warm-up: direct, REST, again", 2, 30, run -> load.closedLoop(run, direct, connections, 5, 0));
        warmUp(
                "warm-up: direct, WebSocket",
                2,
                45,
                run -> load.webSocket(run, direct, options.integer("ws-sockets"), options.integer("ws-window"), 5));

        Run rest = new Run("direct, REST, max");
        measure(rest, () -> load.closedLoop(rest, direct, connections, options.decimal("direct-seconds"), 0));
        runs.add(rest);

        Run ws = new Run("direct, WebSocket, max");
        measure(
                ws,
                () -> load.webSocket(
                        ws,
                        direct,
                        options.integer("ws-sockets"),
                        options.integer("ws-window"),
                        options.decimal("direct-seconds")));
        runs.add(ws);

        // half of what REST itself reached: the latency an operator sees with headroom left
        double max = (double) rest.figures.get("end-to-end messages/s");
        Run half = new Run("direct, REST, half load");
        half.figures.put("offered messages/s", max / 2);
        measure(half, () -> load.openLoop(half, direct, connections, max / 2, options.decimal("direct-seconds")));
        runs.add(half);

        // the group and drain paths, small and unrecorded, until the drain's rate is steady and the JIT compiler quiet:
        // the recorded drain lasts seconds, and one cold round before it left it measuring the compiler
        warmUpDrain();
        Map<String, String> keys =
                groupsOf50("g", options.integer("groups50"), true).keys();
        groups500(max, direct, connections, from, keys);
    }

    private interface Window {
        void run(Run run) throws Exception;
    }

    /**
     * Unrecorded windows of load until, from the {@code least}-th on, the end-to-end rate rose by less than 5 % and
     * Courier's JIT compiler was quiet, or {@code seconds} have passed.
     */
    private void warmUp(String name, int least, double seconds, Window window) throws Exception {
        warmUp(least, seconds, "end-to-end messages/s", round -> {
            Run warmup = new Run(name + " " + round);
            measure(warmup, () -> window.run(warmup));
            return warmup;
        });
    }

    private interface Round {
        Run run(int round) throws Exception;
    }

    /**
     * Unrecorded rounds until, from the {@code least}-th on, the run's {@code rate} rose by less than 5 % and Courier's
     * JIT compiler was quiet, or {@code seconds} have passed.
     */
    private void warmUp(int least, double seconds, String rate, Round rounds) throws Exception {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        double best = 0;
        for (int round = 1; System.nanoTime() < until; round++) {
            Run warmup = rounds.run(round);
            double reached = (double) warmup.figures.getOrDefault(rate, 0.0);
            if (round >= least && reached < best * 1.05 && !compiling(warmup)) {
                return;
            }
            best = Math.max(best, reached);
        }
    }

    /** Only the JDBC baseline and groups of 500 (a quick look at the fan-out's cost while changing it). */
    private void groupsOnly() throws Exception {
        Baselines warm = new Baselines(cluster.servers, 2);
        Baselines baselines = new Baselines(cluster.servers, options.decimal("baseline-seconds"));
        warm.jdbc(inboxWriters(), 1000, 2000);
        runs.add(baseline(() -> baselines.jdbc(inboxWriters(), 1000, 2000)));
        groupsOf50("w", smallGroups50(), false);
        groups500(0, List.of(), 0, List.of(), Map.of());
    }

    /**
     * Groups of 500; with {@code max} above 0 also direct chat at half of it beside them, the long polls and the
     * pushes.
     */
    private void groups500(
            double max, List<Load.Sender> direct, int connections, List<String> from, Map<String, String> keys)
            throws Exception {

        int groups500 = options.integer("groups500");
        long messages500 = (long) groups500 * options.integer("group500-messages");
        List<String> online500 = new ArrayList<>();
        List<Load.Sender> warmSenders = bigGroups("wh", "w500-", groups500, online500);
        List<Load.Sender> bigSenders = bigGroups("h", "g500-", groups500, online500);
        streams.connect(cluster.sync, population, online500);

        // the fan-out of 500 members runs code the direct warm-up did not make hot (C2 compiles it while the first
        // bursts run, on the cores the fan-out needs): bursts to groups of their own until the rate is steady and the
        // JIT compiler quiet, unrecorded
        warmUp(
                "warm-up: groups of 500,",
                2,
                options.decimal("group-warmup-seconds"),
                run -> load.closedLoop(run, warmSenders, options.integer("group-connections"), 3600, messages500));

        Run group500 = new Run("groups of 500");
        // a fixed number of messages: a closed loop would be accepted far faster than 500 rows each can be written,
        // and would measure the backlog it built
        measure(
                group500,
                () -> load.closedLoop(group500, bigSenders, options.integer("group-connections"), 3600, messages500));
        runs.add(group500);
        if (max == 0) {
            return;
        }

        // priority lanes: direct chat at half load while groups of 500 run flat out beside it (as many group
        // messages as the fan-out wrote in the same time alone, all sent at once so the fan-out stage never idles)
        double directSeconds = options.decimal("direct-seconds");
        long stormMessages =
                Math.max(groups500 * 10L, (long) (figureOf(group500, "inbox rows/s") * directSeconds / 500));
        Run storm = new Run("groups of 500, beside direct");
        Run lanes = new Run("direct, REST, half load beside groups of 500");
        lanes.beside(storm);
        lanes.figures.put("offered messages/s", max / 2);
        lanes.figures.put("group messages beside", stormMessages);
        measure(lanes, () -> {
            Thread groups = Thread.ofPlatform()
                    .name("bench-storm")
                    .start(() -> load.closedLoop(
                            storm, bigSenders, options.integer("group-connections"), 3600, stormMessages));
            load.openLoop(lanes, direct, connections, max / 2, directSeconds);
            groups.join();
        });
        awaitDrained(storm);
        runs.add(lanes);

        Run polls = new Run("long polls");
        measure(polls, () -> longPolls(polls, keys, from));
        runs.add(polls);

        pushes();
    }

    /**
     * {@code count} groups of 500 members ({@code prefix} names the members, {@code groupPrefix} the groups), with ten
     * senders each; adds each group's online members to {@code online}.
     */
    private List<Load.Sender> bigGroups(String prefix, String groupPrefix, int count, List<String> online)
            throws Exception {
        List<String> members500 = population.users(prefix, count * 500);
        List<Load.Sender> senders = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            List<String> members = members500.subList(g * 500, g * 500 + 500);
            String group = population.group(cluster.gateway, population.groupId(groupPrefix + g), members);
            for (int m = 0; m < 10; m++) {
                senders.add(new Load.Sender(members.get(m * 50), "g:" + group, 500));
            }
            online.addAll(members.subList(1, 1 + options.integer("group-online")));
        }
        return senders;
    }

    /**
     * Pushes: {@code --push-devices} users whose one device has a webhook token and holds no stream or long poll, each
     * sent one direct message (closed loop, as fast as the gateway takes them); every push must reach the benchmark's
     * webhook ({@link WebhookSink}) once. Latency runs from the inbox commit, as the push-worker's own
     * {@code courier.push.latency} does (the {@code committedAt} of each candidate on {@code courier.push}), to the
     * push's arrival at the receiver; beside it the receiver's own rate when hit directly.
     */
    private void pushes() throws Exception {
        int devices = options.integer("push-devices");
        int connections = options.integer("connections");
        new Baselines(cluster.servers, 2).webhook(sink, connections);
        Baselines baselines = new Baselines(cluster.servers, options.decimal("baseline-seconds"));
        runs.add(baseline(() -> baselines.webhook(sink, connections)));

        // the push path once, small and unrecorded, so that its code is compiled before it counts
        pushRun("warm-up: pushes", "wo", Math.max(50, devices / 10));
        runs.add(pushRun("pushes: " + devices + " offline devices", "o", devices));
    }

    private Run pushRun(String name, String prefix, int devices) throws Exception {
        int connections = options.integer("connections");
        List<String> offline = population.users(prefix, devices);
        population.pushTokens(offline);
        List<String> senders = population.users(prefix + "s", Math.max(1, devices / 10));
        List<Load.Sender> oneEach = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            oneEach.add(new Load.Sender(senders.get(i % senders.size()), "u:" + offline.get(i), 2));
        }
        sink.reset();
        Run run = new Run(name);
        try (PushCandidates candidates = new PushCandidates(cluster.servers.kafka())) {
            measure(run, () -> load.closedLoop(run, oneEach, connections, 3600, devices));
            awaitPushes(run, devices);
            Map<String, Long> committedAt = candidates.readCommittedAt();
            List<WebhookSink.Arrival> arrivals = sink.arrivals();
            Set<String> pushed = new HashSet<>();
            long firstCommit = Long.MAX_VALUE;
            long lastArrival = 0;
            for (WebhookSink.Arrival arrival : arrivals) {
                pushed.add(arrival.userId());
                lastArrival = Math.max(lastArrival, arrival.micros());
                Long committed = committedAt.get(arrival.userId() + " " + arrival.messageId());
                if (committed != null) {
                    firstCommit = Math.min(firstCommit, committed * 1000);
                    run.record(Run.PUSHED, arrival.micros() - committed * 1000);
                }
                long sent = run.sentAt(arrival.messageId());
                if (sent >= 0) {
                    run.record(Run.SENT_PUSHED, arrival.micros() - sent);
                }
            }
            run.figures.put("offline devices", devices);
            run.figures.put("pushes received", arrivals.size());
            run.figures.put("devices pushed", pushed.size());
            run.figures.put("duplicate pushes", arrivals.size() - pushed.size());
            run.figures.put("push candidates", committedAt.size());
            run.figures.put("unsigned pushes", sink.refused());
            run.figures.put(
                    "pushes/s",
                    arrivals.isEmpty() || firstCommit == Long.MAX_VALUE
                            ? 0.0
                            : arrivals.size() / ((lastArrival - firstCommit) / 1e6));
        }
        say("%-34s %s", run.name, headline(run));
        return run;
    }

    /** Waits until every device was pushed, or 30 s pass without a new push. */
    private void awaitPushes(Run run, int devices) {
        long lastProgress = System.nanoTime();
        long last = -1;
        while (sink.size() < devices) {
            long now = sink.size();
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(30)) {
                run.note("gave up waiting: " + (devices - now) + " devices not pushed after 30 s without progress");
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        // a duplicate would come moments later: give it two coalesce windows
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
    }

    /**
     * Rounds of small groups of 50, each of new users then drained, until from the second on the drain's rate rose by
     * less than 5 % and Courier's JIT compiler was quiet, or {@code drain-warmup-seconds} have passed.
     */
    private void warmUpDrain() throws Exception {
        warmUp(
                2,
                options.decimal("drain-warmup-seconds"),
                "messages drained/s",
                round -> groupsOf50("w" + round + "-", smallGroups50(), false).drain());
    }

    /** How many groups of 50 a warm-up round sends to. */
    private int smallGroups50() {
        return Math.max(2, options.integer("groups50") / 5);
    }

    /**
     * Waits at most {@code seconds} until Courier's JIT compiler used less than a tenth of a core over half a second,
     * so that a scenario of seconds measures the service and not the compiler's backlog from the one before.
     */
    private void awaitCompilerQuiet(double seconds) {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        Processes.Cpu before = cluster.processes.snapshot();
        while (System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            Processes.Cpu after = cluster.processes.snapshot();
            double compiling = 0;
            for (Map.Entry<String, Double> process : after.compiler().entrySet()) {
                if (Report.isCourier(process.getKey())) {
                    compiling += process.getValue() - before.compiler().getOrDefault(process.getKey(), 0.0);
                }
            }
            if (compiling < 0.05) {
                return;
            }
            before = after;
        }
    }

    /** The members' keys after a drain, and the drain. */
    private record Drained(Map<String, String> keys, Run drain) {}

    /**
     * Groups of 50: every member ends with ~50 new messages, which the sync scenario then drains. Returns the members'
     * keys after the drain, and the drain.
     */
    private Drained groupsOf50(String prefix, int groups50, boolean recorded) throws Exception {
        List<String> members50 = population.users(prefix, groups50 * 50);
        List<Load.Sender> groupSenders = new ArrayList<>();
        List<String> online50 = new ArrayList<>();
        for (int g = 0; g < groups50; g++) {
            List<String> members = members50.subList(g * 50, g * 50 + 50);
            String group = population.group(cluster.gateway, population.groupId(prefix + "50-" + g), members);
            for (int m = 0; m < 10; m++) {
                groupSenders.add(new Load.Sender(members.get(m * 5), "g:" + group, 50));
            }
            online50.addAll(members.subList(1, 1 + options.integer("group-online")));
        }
        Map<String, String> keys = firstKeys(members50);
        if (recorded) {
            streams.connect(cluster.sync, population, online50);
        }
        // one sender of each group in turn, so that every group gets the same number of messages
        List<Load.Sender> interleaved = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            for (int g = 0; g < groups50; g++) {
                interleaved.add(groupSenders.get(g * 10 + m));
            }
        }
        Run group50 = new Run(recorded ? "groups of 50" : "warm-up: groups of 50");
        measure(
                group50,
                () -> load.closedLoop(
                        group50,
                        interleaved,
                        options.integer("group-connections"),
                        3600,
                        (long) groups50 * options.integer("group50-messages")));
        Run drain = new Run(recorded ? "sync: drain ~50 messages per user" : "warm-up: sync drain");
        if (recorded) {
            // the group sends before left C2 compiling what they ran, on the cores the drain needs for seconds
            awaitCompilerQuiet(10);
        }
        measure(drain, () -> drain(drain, keys, options.integer("sync-concurrency")));
        if (recorded) {
            runs.add(group50);
            runs.add(drain);
        }
        return new Drained(keys, drain);
    }

    private interface Measured {
        Run run() throws Exception;
    }

    private Run baseline(Measured baseline) throws Exception {
        Processes.Cpu cpu = cluster.processes.snapshot();
        long start = System.nanoTime();
        Run run = baseline.run();
        cpuFigures(run, cpu, (System.nanoTime() - start) / 1e9, 0);
        say("%-34s %s", run.name, run.figures);
        return run;
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs a scenario and waits until every accepted message is in all its inboxes, then computes its figures. */
    private void measure(Run run, Body body) throws Exception {
        probe.attach(run);
        streams.attach(run);
        Processes.Cpu cpu = cluster.processes.snapshot();
        cluster.processes.resetPeaks();
        long start = System.nanoTime();
        body.run();
        long sendingDone = System.nanoTime();
        awaitDrained(run);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (run.sent.get() > 0) {
            double firstSend = run.firstSendMicros.get();
            run.figures.put("sent", run.sent.get());
            run.figures.put("accepted", run.accepted.get());
            run.figures.put("failed", run.failed.get());
            run.figures.put("in all inboxes", run.delivered.get());
            run.figures.put("accepted sends/s", run.accepted.get() / ((sendingDone - start) / 1e9));
            run.figures.put(
                    "end-to-end messages/s",
                    run.delivered.get() == 0
                            ? 0.0
                            : run.delivered.get() / ((run.lastDeliveredMicros.get() - firstSend) / 1e6));
            run.figures.put("inbox rows", run.rows.get());
            run.figures.put(
                    "inbox rows/s",
                    run.rows.get() == 0 ? 0.0 : run.rows.get() / ((run.lastCommitMicros.get() - firstSend) / 1e6));
            // the same without the time the first message took to reach its first commit: tells whether a burst of a
            // few seconds (groups of 500) is held down by the pipeline filling
            long committing = run.lastCommitMicros.get() - run.firstCommitMicros.get();
            if (run.rows.get() > 0 && committing > 0) {
                run.figures.put("inbox rows/s, first to last commit", run.rows.get() / (committing / 1e6));
            }
        }
        cpuFigures(run, cpu, seconds, Math.max(run.delivered.get(), run.syncedMessages.get()));
        storedTimes(run);
        say("%-34s %s", run.name, headline(run));
    }

    /** Send → stored by the expansion stage, from each message's {@code stored_at} (read after the run). */
    private void storedTimes(Run run) {
        List<Map.Entry<String, Long>> sent = new ArrayList<>(run.sendTimes().entrySet());
        try (Connection db = DriverManager.getConnection(
                cluster.servers.jdbcUrl(), cluster.servers.dbUser(), cluster.servers.dbPassword())) {
            for (int from = 0; from < sent.size(); from += 500) {
                List<Map.Entry<String, Long>> chunk = sent.subList(from, Math.min(sent.size(), from + 500));
                Map<String, Long> byId = new HashMap<>();
                chunk.forEach(entry -> byId.put(entry.getKey(), entry.getValue()));
                String marks = String.join(",", Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement query = db.prepareStatement(
                        "SELECT message_id, stored_at FROM messages WHERE message_id IN (" + marks + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        query.setString(i + 1, chunk.get(i).getKey());
                    }
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            run.record(Run.STORED, rows.getLong(2) * 1000 - byId.get(rows.getString(1)));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            run.note("stored times not read: " + e);
        }
    }

    private void cpuFigures(Run run, Processes.Cpu before, double seconds, long messages) {
        Processes.Cpu after = cluster.processes.snapshot();
        Map<String, Double> peaks = cluster.processes.peakRssMb();
        run.figures.put("wall seconds", seconds);
        after.total().forEach((process, cpu) -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            double used = cpu - before.total().getOrDefault(process, cpu);
            figures.put("cpu seconds", used);
            double compiling = after.compiler().getOrDefault(process, 0.0)
                    - before.compiler().getOrDefault(process, 0.0);
            figures.put("jit compiler cpu seconds", compiling);
            figures.put("cores busy", used / seconds);
            if (messages > 0) {
                figures.put("cpu seconds per 1000 messages", used / messages * 1000);
            }
            figures.put("peak rss MiB", peaks.get(process));
            run.processes.put(process, figures);
        });
    }

    /**
     * Whether Courier's JIT compiler used more than a tenth of its CPU during the run: its code was still being
     * compiled, so a rate measured now is not the rate it keeps.
     */
    private static boolean compiling(Run run) {
        double share = Report.courierCompilerShare(run);
        return !Double.isNaN(share) && share > 0.10;
    }

    private static String headline(Run run) {
        StringBuilder line = new StringBuilder();
        for (String name : List.of(
                "accepted sends/s",
                "end-to-end messages/s",
                "inbox rows/s",
                "syncs/s",
                "messages drained/s",
                "pushes/s",
                "failed")) {
            Object value = run.figures.get(name);
            if (value != null) {
                line.append(name)
                        .append(' ')
                        .append(value instanceof Double d ? String.format("%.0f", d) : value)
                        .append("  ");
            }
        }
        double compiling = Report.courierCompilerShare(run);
        if (!Double.isNaN(compiling)) {
            line.append(String.format("Courier CPU in JIT %.0f%%  ", compiling * 100));
        }
        run.histograms()
                .forEach((name, histogram) -> line.append(
                        String.format("%s p99 %.1f ms  ", name, histogram.getValueAtPercentile(99) / 1000.0)));
        return line.toString();
    }

    /** Waits until all accepted messages are in every inbox (or progress stops for 30 s) and streams caught up. */
    private static void awaitDrained(Run run) {
        long lastProgress = System.nanoTime();
        long lastDelivered = -1;
        while (!run.drained()) {
            long delivered = run.delivered.get();
            if (delivered != lastDelivered) {
                lastDelivered = delivered;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(30)) {
                run.note("gave up waiting: " + (run.accepted.get() - delivered) + " accepted messages not in every"
                        + " inbox after 30 s without progress");
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        // the online clients' last syncs
        long visible = -1;
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && System.nanoTime() - stableSince < TimeUnit.MILLISECONDS.toNanos(300)) {
            long now = run.histogram(Run.VISIBLE).getTotalCount();
            if (now != visible) {
                visible = now;
                stableSince = System.nanoTime();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** First syncs of these users (REST): the key each user holds before new messages arrive. */
    private Map<String, String> firstKeys(List<String> users) throws Exception {
        Map<String, String> keys = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(users);
        parallel(options.integer("sync-concurrency"), () -> {
            try (MiniHttp http = new MiniHttp(cluster.sync)) {
                for (String user = queue.poll(); user != null; user = queue.poll()) {
                    MiniHttp.Response answer = http.post(
                            "/v1/sync", population.token(user), "{\"limit\":1}".getBytes(StandardCharsets.UTF_8));
                    keys.put(user, JSON.readTree(answer.body()).path("syncKey").asString());
                }
            }
        });
        return keys;
    }

    /** Every user syncs from its key until nothing is left; the keys advance. */
    private void drain(Run run, Map<String, String> keys, int concurrency) throws Exception {
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(keys.keySet());
        long start = System.nanoTime();
        parallel(concurrency, () -> {
            try (MiniHttp http = new MiniHttp(cluster.sync)) {
                for (String user = queue.poll(); user != null; user = queue.poll()) {
                    boolean more = true;
                    while (more) {
                        byte[] body = ("{\"syncKey\":\"" + keys.get(user) + "\",\"limit\":100}")
                                .getBytes(StandardCharsets.UTF_8);
                        long sent = Run.nowMicros();
                        MiniHttp.Response answer = http.post("/v1/sync", population.token(user), body);
                        run.record(Run.SYNC, Run.nowMicros() - sent);
                        if (answer.status() != 200) {
                            run.note("sync " + answer.status() + " " + answer.text());
                            break;
                        }
                        JsonNode delta = JSON.readTree(answer.body());
                        run.syncs.incrementAndGet();
                        run.syncedMessages.addAndGet(delta.path("messages").size());
                        keys.put(user, delta.path("syncKey").asString());
                        more = delta.path("hasMore").asBoolean();
                    }
                }
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        run.figures.put("users", keys.size());
        run.figures.put("syncs", run.syncs.get());
        run.figures.put("messages drained", run.syncedMessages.get());
        run.figures.put("messages per sync", run.syncedMessages.get() / (double) Math.max(1, run.syncs.get()));
        run.figures.put("syncs/s", run.syncs.get() / seconds);
        run.figures.put("messages drained/s", run.syncedMessages.get() / seconds);
        run.figures.put("concurrent clients", concurrency);
    }

    /** Holds long polls (one per user, at most --long-polls), then wakes each with one direct message. */
    private void longPolls(Run run, Map<String, String> keys, List<String> senders) throws Exception {
        List<String> users =
                new ArrayList<>(keys.keySet()).subList(0, Math.min(keys.size(), options.integer("long-polls")));
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger early = new AtomicInteger();
        AtomicInteger holding = new AtomicInteger();
        List<Thread> polls = new ArrayList<>();
        for (String user : users) {
            polls.add(Thread.ofVirtual().start(() -> {
                try (MiniHttp http = new MiniHttp(cluster.sync)) {
                    byte[] body = ("{\"syncKey\":\"" + keys.get(user) + "\"}").getBytes(StandardCharsets.UTF_8);
                    holding.incrementAndGet();
                    long started = Run.nowMicros();
                    MiniHttp.Response answer = http.post("/v1/sync?waitMs=30000", population.token(user), body);
                    long now = Run.nowMicros();
                    JsonNode delta = JSON.readTree(answer.body());
                    boolean any = false;
                    for (JsonNode message : delta.path("messages")) {
                        long sent = run.sentAt(message.path("messageId").asString());
                        if (sent >= 0) {
                            run.record(Run.LONG_POLL, now - sent);
                            any = true;
                        }
                    }
                    if (any) {
                        answered.incrementAndGet();
                    } else {
                        early.incrementAndGet();
                        run.note("long poll of " + user + " answered after " + (now - started) / 1000 + " ms without"
                                + " its message: status " + answer.status() + ", resync " + delta.path("resync")
                                + ", " + delta.path("messages").size() + " messages");
                    }
                } catch (Exception e) {
                    run.note(e.toString());
                }
            }));
        }
        // every poll is written; give the sync-api a moment to park them all before waking them
        while (holding.get() < users.size()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
        List<Load.Sender> wake = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            wake.add(new Load.Sender(senders.get(i % senders.size()), "u:" + users.get(i), 2));
        }
        load.closedLoop(run, wake, options.integer("connections"), 3600, wake.size());
        for (Thread poll : polls) {
            poll.join(TimeUnit.SECONDS.toMillis(60));
        }
        run.figures.put("long polls held", users.size());
        run.figures.put("woken with their message", answered.get());
        run.figures.put("answered without it", early.get());
    }

    private interface Task {
        void run() throws Exception;
    }

    private static void parallel(int threads, Task task) throws InterruptedException {
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofVirtual().start(() -> {
                try {
                    task.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
    }

    private static double figureOf(Run run, String name) {
        Object value = run.figures.get(name);
        return value instanceof Number number ? number.doubleValue() : 0;
    }

    /** The inbox writer's consumer threads, as configured for the fanout-worker. */
    private int inboxWriters() {
        for (String arg : options.passThrough()) {
            if (arg.startsWith("--courier.fanout.inbox-writer.concurrency=")) {
                return Integer.parseInt(arg.substring(arg.indexOf('=') + 1));
            }
        }
        return 1;
    }

    static void say(String format, Object... args) {
        System.out.printf(
                "[%s] %s%n",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), String.format(format, args));
    }
}
