package dev.courier.fanout.inbox;

import java.util.List;
import java.util.Map;

/**
 * Told after each inbox batch committed to the database and before its offsets are committed to Kafka. Beans of this
 * type observe the writer (metrics, the benchmark's probe, tests that crash the worker in exactly that window).
 */
@FunctionalInterface
public interface InboxCommitListener {

    /** @param heads the new head seq of every user the batch wrote to */
    void committed(Map<String, Long> heads);

    /**
     * The same moment with the rows written (redelivered entries skipped), in the order they were written. By default
     * only {@link #committed(Map)} is called.
     *
     * @param heads the new head seq of every user the batch wrote to
     * @param rows the rows the batch wrote
     */
    default void committed(Map<String, Long> heads, List<Row> rows) {
        committed(heads);
    }

    /** An inbox row: {@code seq} of {@code userId}'s inbox now points at {@code messageId}. */
    record Row(String userId, long seq, String messageId) {}
}
