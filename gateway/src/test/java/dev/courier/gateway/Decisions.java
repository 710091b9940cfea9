package dev.courier.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The expansion stage's part in a group or block call, played by hand (no fanout-worker runs in this module): the call
 * waits for its change to be decided at its point in the log, so the test makes the call, waits for the call's record
 * in {@code courier.conversations}, writes the rows the change makes, and records its outcome in
 * {@code change_outcomes}; the call then answers with that outcome.
 */
public final class Decisions {

    /** The records decided so far: each call's record is decided once. */
    private static final Set<String> DECIDED = ConcurrentHashMap.newKeySet();

    private Decisions() {}

    /** A call's answer and the record it wrote to the log. */
    public record Decided(Api.Response answer, ConversationLog.Entry record) {

        public String eventId() {
            return record.value().path("eventId").asString();
        }
    }

    /** Makes the call and applies its change: {@code apply} writes what the change makes, before the outcome. */
    public static Decided applied(Supplier<Api.Response> call, String key, String type, Runnable apply) {
        return decide(call, key, type, apply, null, null);
    }

    /** Makes the call and refuses its change in the log with the code and detail. */
    public static Decided refused(Supplier<Api.Response> call, String key, String type, String code, String detail) {
        return decide(call, key, type, () -> {}, code, detail);
    }

    private static Decided decide(
            Supplier<Api.Response> call,
            String key,
            String type,
            Runnable apply,
            @Nullable String code,
            @Nullable String detail) {
        CompletableFuture<Api.Response> answer = CompletableFuture.supplyAsync(call);
        Predicate<ConversationLog.Entry> match = entry -> entry.key().equals(key)
                && entry.type().equals(type)
                && !DECIDED.contains(entry.value().path("eventId").asString());
        // a call refused before it wrote anything answers at once: then that answer is what the test sees
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> answer.isDone()
                        || !TestGateway.conversations().all(match).isEmpty());
        List<ConversationLog.Entry> records = TestGateway.conversations().all(match);
        assertThat(records)
                .as("the call wrote no %s record under %s; it answered %s", type, key, describe(answer))
                .isNotEmpty();
        ConversationLog.Entry record = records.getFirst();
        String eventId = record.value().path("eventId").asString();
        DECIDED.add(eventId);
        apply.run();
        TestRows.decide(eventId, code, detail);
        return new Decided(answer.join(), record);
    }

    private static String describe(CompletableFuture<Api.Response> answer) {
        Api.Response response = answer.getNow(null);
        return response == null ? "nothing yet" : response.status() + " " + response.body();
    }
}
