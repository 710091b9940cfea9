package dev.courier.standalone;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import tools.jackson.databind.JsonNode;

import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sustained sends through the public API while a fault happens, as careful clients make them: each sender sends one
 * message after the other and retries a send with the same {@code clientMsgId} until it is accepted, so a retry can
 * never duplicate. Then {@link #audit} checks every inbox: every accepted message exactly once in every intended inbox,
 * each sender's order kept within each conversation, seq strictly increasing.
 */
final class Load implements AutoCloseable {

    /** One conversation of the load: a sender, its address, and who must receive what it sends. */
    record Stream(Api.Session sender, String to, List<Api.Session> recipients) {}

    record Accepted(String messageId, String clientMsgId, String sender, String to) {}

    /** The figures of a run, for the report. */
    record Figures(
            String fault,
            int accepted,
            long expectedEntries,
            long delivered,
            long lost,
            long duplicated,
            long unavailableAnswers,
            long slowestUnavailableMs,
            long otherErrors) {

        @Override
        public String toString() {
            return "%s: accepted %d messages, %d inbox entries expected, %d delivered, %d lost, %d duplicated; "
                            .formatted(fault, accepted, expectedEntries, delivered, lost, duplicated)
                    + "%d answers 503 (slowest %d ms), %d other errors"
                            .formatted(unavailableAnswers, slowestUnavailableMs, otherErrors);
        }
    }

    private final Api api;

    private final List<Stream> streams;

    private final Map<String, String> keysBefore = new HashMap<>();

    private final List<Accepted> accepted = Collections.synchronizedList(new ArrayList<>());

    private final AtomicBoolean running = new AtomicBoolean(true);

    private final AtomicLong unavailable = new AtomicLong();

    private final AtomicLong slowestUnavailable = new AtomicLong();

    private final AtomicLong otherErrors = new AtomicLong();

    private final List<Thread> threads = new ArrayList<>();

    private Load(Api api, List<Stream> streams) {
        this.api = api;
        this.streams = streams;
    }

    /** Starts one sending thread per stream, after every recipient took a sync key to start from. */
    static Load start(Api api, List<Stream> streams, Duration pause) {
        Load load = new Load(api, streams);
        for (Stream stream : streams) {
            for (Api.Session recipient : stream.recipients()) {
                load.keysBefore.computeIfAbsent(
                        recipient.userId(),
                        user -> api.sync(recipient, null, 1)
                                .body()
                                .path("syncKey")
                                .asString());
            }
        }
        for (Stream stream : streams) {
            load.threads.add(Thread.ofVirtual().start(() -> load.run(stream, pause)));
        }
        return load;
    }

    private void run(Stream stream, Duration pause) {
        int n = 0;
        while (running.get()) {
            String clientMsgId = Api.uniqueId("load-" + n++);
            String messageId = sendUntilAccepted(stream, clientMsgId);
            if (messageId != null) {
                accepted.add(
                        new Accepted(messageId, clientMsgId, stream.sender().userId(), stream.to()));
            }
            if (!pause.isZero()) {
                // the simulated client's pacing between sends (not a wait for a result)
                LockSupport.parkNanos(pause.toNanos());
            }
        }
    }

    /** Retries one send until accepted; gives up only when the load is stopped and the send was never answered 202. */
    private String sendUntilAccepted(Stream stream, String clientMsgId) {
        long backoff = 100;
        while (true) {
            long started = System.nanoTime();
            try {
                Api.Response response = api.send(stream.sender(), clientMsgId, stream.to(), "load " + clientMsgId);
                if (response.status() == 202) {
                    return response.body().path("messageId").asString();
                }
                if (response.status() == 503) {
                    unavailable.incrementAndGet();
                    slowestUnavailable.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
                } else {
                    otherErrors.incrementAndGet();
                }
            } catch (UncheckedIOException e) {
                // the gateway is away: a client retries the same send
            }
            if (!running.get() && backoff > 100) {
                // stopping: a send that was never accepted is not counted
                return null;
            }
            // the simulated client's back-off between retries (not a wait for a result)
            LockSupport.parkNanos(Duration.ofMillis(backoff).toNanos());
            backoff = Math.min(1000, backoff * 2);
        }
    }

    int acceptedCount() {
        return accepted.size();
    }

    /** Stops the senders; a send in flight finishes (or is retried until accepted) first. */
    @Override
    public void close() {
        running.set(false);
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Everything each recipient's inbox got after the load started. */
    Map<String, List<JsonNode>> inboxes() {
        Map<String, List<JsonNode>> inboxes = new LinkedHashMap<>();
        for (Stream stream : streams) {
            for (Api.Session recipient : stream.recipients()) {
                inboxes.computeIfAbsent(recipient.userId(), user -> {
                    List<JsonNode> messages = new ArrayList<>();
                    String key = keysBefore.get(user);
                    boolean more = true;
                    while (more) {
                        Api.Response page = api.sync(recipient, key, 500);
                        assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
                        page.body().path("messages").forEach(messages::add);
                        key = page.body().path("syncKey").asString();
                        more = page.body().path("hasMore").asBoolean();
                    }
                    return messages;
                });
            }
        }
        return inboxes;
    }

    /** The inbox entries that must exist: every accepted message, for every recipient of its stream. */
    long expectedEntries() {
        long total = 0;
        Map<String, Integer> recipients = new HashMap<>();
        for (Stream stream : streams) {
            recipients.put(
                    stream.sender().userId() + " " + stream.to(),
                    stream.recipients().size());
        }
        synchronized (accepted) {
            for (Accepted message : accepted) {
                total += recipients.get(message.sender() + " " + message.to());
            }
        }
        return total;
    }

    /**
     * Waits until every expected inbox entry can have arrived, then audits: fails on any loss, duplicate, reordering
     * or seq going back, and returns the figures.
     */
    Figures awaitDeliveredAndAudit(String fault) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(inboxes().values().stream()
                                .mapToLong(List::size)
                                .sum())
                        .isGreaterThanOrEqualTo(expectedEntries()));
        Figures figures = audit(fault);
        assertThat(figures.lost()).isZero();
        assertThat(figures.duplicated()).isZero();
        assertThat(figures.accepted()).isPositive();
        return figures;
    }

    /** Checks every inbox and returns the figures; fails on any loss, duplicate, reordering or seq going back. */
    Figures audit(String fault) {
        Map<String, List<JsonNode>> inboxes = inboxes();
        long delivered = 0;
        long duplicated = 0;
        long lost = 0;
        List<Accepted> all;
        synchronized (accepted) {
            all = List.copyOf(accepted);
        }
        for (Stream stream : streams) {
            List<String> sent = all.stream()
                    .filter(a -> a.sender().equals(stream.sender().userId()) && a.to().equals(stream.to()))
                    .map(Accepted::messageId)
                    .toList();
            for (Api.Session recipient : stream.recipients()) {
                List<JsonNode> inbox = inboxes.get(recipient.userId());
                List<String> got = inbox.stream()
                        .filter(m ->
                                m.path("from").asString().equals(stream.sender().userId()))
                        .filter(m -> stream.to().startsWith("g:")
                                ? m.path("conversation").asString().equals(stream.to())
                                : m.path("conversation").asString().startsWith("d:"))
                        .map(m -> m.path("messageId").asString())
                        .filter(sent::contains)
                        .toList();
                long distinct = got.stream().distinct().count();
                duplicated += got.size() - distinct;
                lost += sent.stream().filter(id -> !got.contains(id)).count();
                delivered += distinct;
                assertThat(got)
                        .as(
                                "%s's inbox: %s's messages to %s, in send order, once each",
                                recipient.userId(), stream.sender().userId(), stream.to())
                        .containsExactlyElementsOf(sent);
            }
        }
        for (Map.Entry<String, List<JsonNode>> inbox : inboxes.entrySet()) {
            List<Long> seqs =
                    inbox.getValue().stream().map(m -> m.path("seq").asLong()).toList();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("seq of %s's inbox", inbox.getKey()).isGreaterThan(seqs.get(i - 1));
            }
        }
        Figures figures = new Figures(
                fault,
                all.size(),
                expectedEntries(),
                delivered,
                lost,
                duplicated,
                unavailable.get(),
                slowestUnavailable.get(),
                otherErrors.get());
        Reliability.record(figures);
        return figures;
    }
}
