package dev.courier.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.courier.embedded.Ports;
import dev.courier.migrations.Migrator;

/**
 * The system under test, each part a process of its own so that its CPU and memory can be read: the servers (embedded
 * Kafka in one JVM with MariaDB and Redis as its children, unless external servers are named), the gateway, the
 * fanout-worker, the sync-api, the push-worker (pushing to the benchmark's webhook), and the HTTP baseline's echo
 * service.
 */
final class Cluster implements AutoCloseable {

    /** Where the servers are. */
    record Servers(String kafka, String jdbcUrl, String dbUser, String dbPassword, String redisUrl) {}

    private final List<Process> children = new ArrayList<>();

    private final Path logs;

    final Processes processes = new Processes();

    Servers servers;

    URI gateway;

    URI sync;

    URI echo;

    URI fanout;

    /** The push-worker's {@code /actuator}, or null when no webhook was given. */
    URI push;

    final String tokenSecret;

    private boolean jfr;

    Cluster(Path logs, String tokenSecret) {
        this.logs = logs;
        this.tokenSecret = tokenSecret;
    }

    /**
     * @param webhook where the push-worker POSTs its pushes (the benchmark's {@link WebhookSink}), with
     *        {@code webhookSecret}; null: no push-worker
     */
    void start(Options options, int probePort, URI webhook, String webhookSecret) throws Exception {
        jfr = Boolean.parseBoolean(options.get("jfr"));
        processes.add("bench (load)", ProcessHandle.current().pid());
        if (options.external()) {
            servers = new Servers(
                    options.get("kafka"),
                    options.get("db-url"),
                    options.get("db-user"),
                    options.get("db-password"),
                    options.get("redis"));
            Migrator.migrate(servers.jdbcUrl(), servers.dbUser(), servers.dbPassword());
        } else {
            servers = startInfra();
        }
        List<String> common = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + servers.kafka(),
                "--spring.datasource.url=" + servers.jdbcUrl(),
                "--spring.datasource.username=" + servers.dbUser(),
                "--spring.datasource.password=" + servers.dbPassword(),
                "--spring.data.redis.url=" + servers.redisUrl(),
                "--courier.auth.token-secret=" + tokenSecret,
                "--spring.main.banner-mode=off"));
        if (webhook != null) {
            common.add("--courier.push.webhook.url=" + webhook);
            common.add("--courier.push.webhook.secret=" + webhookSecret);
        }
        common.addAll(options.passThrough());
        int pushPort = Ports.freePort();
        push = webhook == null ? null : URI.create("http://127.0.0.1:" + pushPort);
        int gatewayPort = Ports.freePort();
        int syncPort = Ports.freePort();
        int fanoutPort = Ports.freePort();
        int echoPort = Ports.freePort();
        fanout = URI.create("http://127.0.0.1:" + fanoutPort);
        gateway = URI.create("http://127.0.0.1:" + gatewayPort);
        sync = URI.create("http://127.0.0.1:" + syncPort);
        echo = URI.create("http://127.0.0.1:" + echoPort);
        if (options.get("layout").equals("single")) {
            // the standalone layout: one JVM, each service its own Spring context; the JIT compiles the shared
            // stack (Tomcat, Spring, Jackson, the Kafka and JDBC clients) once instead of once per service
            List<String> args = new ArrayList<>(List.of(
                    "service",
                    "all",
                    Integer.toString(gatewayPort),
                    Integer.toString(syncPort),
                    Integer.toString(fanoutPort),
                    Integer.toString(echoPort),
                    Integer.toString(pushPort)));
            args.addAll(common);
            args.add("--courier.bench.probe-port=" + probePort);
            args.add("--courier.gateway.limits.send-burst=1000000");
            args.add("--courier.gateway.limits.sends-per-second=1000000");
            Process process = launch("courier (all services)", args);
            processes.add("courier (all services)", process.pid());
        } else {
            // the fanout-worker first: it declares the topics the others use
            service("fanout-worker", "fanout", fanoutPort, common, "--courier.bench.probe-port=" + probePort);
            awaitReady("fanout-worker", fanout);
            service(
                    "gateway",
                    "gateway",
                    gatewayPort,
                    common,
                    "--courier.gateway.limits.send-burst=1000000",
                    "--courier.gateway.limits.sends-per-second=1000000");
            service("sync-api", "sync", syncPort, common);
            service("echo (HTTP baseline)", "echo", echoPort, common);
            if (push != null) {
                service("push-worker", "push", pushPort, common);
            }
        }
        List<CompletableFuture<Void>> ready = new ArrayList<>(List.of(
                CompletableFuture.runAsync(() -> awaitReady("fanout-worker", fanout)),
                CompletableFuture.runAsync(() -> awaitReady("gateway", gateway)),
                CompletableFuture.runAsync(() -> awaitReady("sync-api", sync)),
                CompletableFuture.runAsync(() -> awaitReady("echo", echo))));
        if (push != null) {
            ready.add(CompletableFuture.runAsync(() -> awaitReady("push-worker", push)));
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
    }

    private Servers startInfra() throws IOException {
        Process infra = launch("servers", List.of("infra"));
        BufferedReader out = new BufferedReader(new InputStreamReader(infra.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (String line = out.readLine(); line != null && System.nanoTime() < deadline; line = out.readLine()) {
            Files.writeString(
                    logs.resolve("servers.log"),
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            if (line.startsWith(Infra.READY)) {
                String[] parts = line.substring(Infra.READY.length()).split(" ");
                Thread.ofPlatform().daemon().start(() -> drain(out));
                processes.add("kafka (servers JVM)", infra.pid());
                infra.descendants().forEach(child -> {
                    String command = child.info().command().orElse("");
                    if (command.contains("mysqld") || command.contains("mariadbd")) {
                        processes.add("mariadb", child.pid());
                    } else if (command.contains("redis")) {
                        processes.add("redis", child.pid());
                    }
                });
                return new Servers(parts[0], parts[1], parts[2], parts[3], parts[4]);
            }
        }
        throw new IllegalStateException("the servers did not start; see " + logs.resolve("servers.log"));
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // keep the pipe flowing
            }
        } catch (IOException e) {
            // ended
        }
    }

    private void service(String name, String role, int port, List<String> common, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("service", role));
        args.addAll(common);
        args.add("--server.port=" + port);
        args.addAll(List.of(more));
        Process process = launch(name, args);
        processes.add(name, process.pid());
    }

    private Process launch(String name, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseG1GC");
        if (jfr) {
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + logs.resolve(name.replaceAll("[^a-z-]", "") + ".jfr"));
        }
        String classPath = System.getProperty("java.class.path");
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
            command.add("-jar");
            command.add(classPath);
        } else {
            command.add("-cp");
            command.add(classPath);
            command.add(Main.class.getName());
        }
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (!name.equals("servers")) {
            builder.redirectOutput(
                    logs.resolve(name.replaceAll("[^a-z-]", "") + ".log").toFile());
        }
        Process process = builder.start();
        children.add(process);
        return process;
    }

    private static void awaitReady(String name, URI base) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> answer = http.send(
                        HttpRequest.newBuilder(base.resolve("/actuator/health/readiness"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
        }
        throw new IllegalStateException(name + " did not become ready at " + base);
    }

    /** The process ids by name, for profiling ({@code jcmd PID JFR.start}). */
    Map<String, Long> pids() {
        return processes.pids();
    }

    @Override
    public void close() {
        processes.close();
        // closing standard input ends each child (ParentWatch); services first, the servers last
        for (int i = children.size() - 1; i >= 0; i--) {
            Process child = children.get(i);
            try {
                child.getOutputStream().close();
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                child.destroyForcibly();
            }
        }
    }
}
