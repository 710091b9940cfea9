package dev.courier.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * What one scenario measured: latency histograms (microseconds) and counters. Messages are registered before they
 * are sent, with the number of inbox rows they make; the fanout-worker's {@link CommitProbe} reports the rows as they
 * commit, so send → inbox committed is known exactly for every message.
 */
final class Run {

    static final String ACCEPTED = "send→accepted";

    static final String INBOX = "send→inbox committed";

    static final String HINT = "send→hint received";

    static final String VISIBLE = "send→visible through sync";

    static final String SYNC = "sync query";

    static final String LONG_POLL = "send→long poll answered";

    /** From the stored message's {@code stored_at}: the expansion stage's commit. */
    static final String STORED = "send→stored (expansion)";

    static final String PUSHED = "inbox commit→webhook received";

    static final String SENT_PUSHED = "send→webhook received";

    private record Pending(long sentMicros, int expectedRows, AtomicInteger rows) {}

    final String name;

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();

    final AtomicLong sent = new AtomicLong();

    final AtomicLong accepted = new AtomicLong();

    final AtomicLong failed = new AtomicLong();

    final AtomicLong rows = new AtomicLong();

    final AtomicLong delivered = new AtomicLong();

    final AtomicLong syncs = new AtomicLong();

    final AtomicLong syncedMessages = new AtomicLong();

    final AtomicLong firstSendMicros = new AtomicLong(Long.MAX_VALUE);

    final AtomicLong lastAcceptMicros = new AtomicLong();

    final AtomicLong firstCommitMicros = new AtomicLong(Long.MAX_VALUE);

    final AtomicLong lastCommitMicros = new AtomicLong();

    final AtomicLong lastDeliveredMicros = new AtomicLong();

    /** The first few failures, as examples for the report. */
    final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    /** Figures computed at the end, in print order. */
    final Map<String, Object> figures = new LinkedHashMap<>();

    /** Per process: CPU seconds and peak resident memory during the scenario. */
    final Map<String, Map<String, Object>> processes = new LinkedHashMap<>();

    /** A run measured at the same time, whose messages this one hands on (a load running beside it). */
    private volatile @Nullable Run beside;

    void note(String failure) {
        if (notes.size() < 5) {
            notes.add(failure.length() > 300 ? failure.substring(0, 300) : failure);
        }
    }

    Run(String name) {
        this.name = name;
    }

    void beside(Run other) {
        this.beside = other;
    }

    /** The run a message belongs to: this one, or the one beside it that sent it. */
    Run of(String messageId) {
        Run other = beside;
        return other != null && !pending.containsKey(messageId) && other.pending.containsKey(messageId) ? other : this;
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    Histogram histogram(String name) {
        return histograms.computeIfAbsent(name, n -> new ConcurrentHistogram(60_000_000L, 3));
    }

    Map<String, Histogram> histograms() {
        return histograms;
    }

    void record(String histogram, long micros) {
        histogram(histogram).recordValue(Math.max(0, Math.min(micros, 60_000_000L)));
    }

    /**
     * Registers a message about to be sent; returns its send time: now, or the time it was due ({@code dueMicros >= 0},
     * an open loop) when that was earlier.
     */
    long sending(String messageId, int expectedRows, long dueMicros) {
        long now = dueMicros >= 0 ? Math.min(dueMicros, nowMicros()) : nowMicros();
        pending.put(messageId, new Pending(now, expectedRows, new AtomicInteger()));
        sent.incrementAndGet();
        firstSendMicros.accumulateAndGet(now, Math::min);
        return now;
    }

    void accepted(long sentMicros) {
        long now = nowMicros();
        accepted.incrementAndGet();
        lastAcceptMicros.accumulateAndGet(now, Math::max);
        record(ACCEPTED, now - sentMicros);
    }

    void failed(String messageId) {
        failed.incrementAndGet();
        pending.remove(messageId);
    }

    /** From the probe: {@code count} rows of the message committed at {@code micros}. */
    void committed(String messageId, int count, long micros) {
        Run owner = of(messageId);
        if (owner != this) {
            owner.committed(messageId, count, micros);
            return;
        }
        rows.addAndGet(count);
        firstCommitMicros.accumulateAndGet(micros, Math::min);
        lastCommitMicros.accumulateAndGet(micros, Math::max);
        Pending message = pending.get(messageId);
        if (message != null && message.rows().addAndGet(count) == message.expectedRows()) {
            delivered.incrementAndGet();
            lastDeliveredMicros.accumulateAndGet(micros, Math::max);
            record(INBOX, micros - message.sentMicros());
        }
    }

    /** The send time (µs) of every message of this run that was not refused. */
    Map<String, Long> sendTimes() {
        Map<String, Long> times = new HashMap<>();
        pending.forEach((id, message) -> times.put(id, message.sentMicros()));
        return times;
    }

    /** The send time of a message of this run, or -1. */
    long sentAt(String messageId) {
        Pending message = pending.get(messageId);
        return message == null ? -1 : message.sentMicros();
    }

    /** Whether every message accepted so far is in all its inboxes. */
    boolean drained() {
        return delivered.get() >= accepted.get();
    }
}
