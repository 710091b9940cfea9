package dev.courier.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How many concurrent long polls one sync-api instance holds: opens {@code --polls} long polls
 * ({@code POST /v1/sync?waitMs=30000}) spread over {@code --users} users, checks that every one is still held after
 * the ramp-up (none answered early, none refused), then wakes them all with one message per user and counts how many
 * answered with the message.
 *
 * <pre>
 * java -jar bench/target/courier-bench.jar --polls=10000 --users=100 [--rate=2000] [--gateway=http://127.0.0.1:8080]
 *     [--sync=http://127.0.0.1:8081]
 * </pre>
 */
public final class LongPollCapacity {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LongPollCapacity() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of(
                "polls", "10000", "users", "100", "gateway", "http://127.0.0.1:8080", "sync", "http://127.0.0.1:8081"));
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("usage: --polls=N --users=N --gateway=URL --sync=URL");
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        int polls = Integer.parseInt(options.get("polls"));
        int users = Integer.parseInt(options.get("users"));
        String gateway = options.get("gateway");
        String sync = options.get("sync");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String run = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
                .substring(0, 6);

        List<String> tokens = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            String user = "lp-" + run + "-" + u;
            post(
                    http,
                    gateway + "/v1/accounts",
                    null,
                    "{\"userId\":\"" + user + "\",\"password\":\"password-" + user + "\",\"displayName\":\"LP\"}");
            String token = post(
                            http,
                            gateway + "/v1/sessions",
                            null,
                            "{\"userId\":\"" + user + "\",\"password\":\"password-" + user
                                    + "\",\"deviceId\":\"bench\"}")
                    .path("token")
                    .asString();
            tokens.add(token);
            keys.add(post(http, sync + "/v1/sync", token, "{}").path("syncKey").asString());
        }
        System.out.printf("%d users ready; opening %d long polls%n", users, polls);

        AtomicInteger answered = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger withMessage = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>(polls);
        long started = System.nanoTime();
        int perSecond = Integer.parseInt(options.getOrDefault("rate", "2000"));
        for (int i = 0; i < polls; i++) {
            if (i > 0 && i % (perSecond / 10) == 0) {
                Thread.sleep(100); // ramp up at --rate polls per second, as clients arriving over time
            }
            int u = i % users;
            HttpRequest request = HttpRequest.newBuilder(URI.create(sync + "/v1/sync?waitMs=30000"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + tokens.get(u))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"syncKey\":\"" + keys.get(u) + "\"}"))
                    .build();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        answered.incrementAndGet();
                        if (error != null || response.statusCode() != 200) {
                            failed.incrementAndGet();
                        } else if (response.body().contains("\"messageId\"")) {
                            withMessage.incrementAndGet();
                        }
                    }));
        }
        System.out.printf(
                "opened in %d ms; waiting 5 s, then checking none answered early%n",
                (System.nanoTime() - started) / 1_000_000);
        Thread.sleep(5_000);
        int early = answered.get();
        System.out.printf(
                "held after ramp-up: %d of %d (answered early: %d, failed: %d)%n",
                polls - early, polls, early, failed.get());
        long wake = System.nanoTime();
        for (int u = 0; u < users; u++) {
            String peer = "lp-" + run + "-" + ((u + 1) % users);
            String send = "{\"clientMsgId\":\"wake-" + u + "\",\"to\":\"u:" + peer
                    + "\",\"kind\":\"text\",\"content\":\"wake up\"}";
            for (int attempt = 0; ; attempt++) {
                try {
                    post(http, gateway + "/v1/messages", tokens.get(u), send);
                    break;
                } catch (IllegalStateException e) {
                    if (attempt == 5) {
                        throw e;
                    }
                    Thread.sleep(500); // retry the same send, as a client would
                }
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        System.out.printf(
                "woken: %d of %d answered with the message within %d ms of the first wake-up send; " + "failed: %d%n",
                withMessage.get(), polls, (System.nanoTime() - wake) / 1_000_000, failed.get());
        System.out.printf(
                "bench process: %s, %d MB heap used%n",
                ManagementFactory.getRuntimeMXBean().getName(),
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        System.out.printf(
                "RESULT polls=%d held=%d woken=%d failed=%d%n", polls, polls - early, withMessage.get(), failed.get());
    }

    private static JsonNode post(HttpClient http, String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
