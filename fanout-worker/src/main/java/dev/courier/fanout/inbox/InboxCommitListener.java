package dev.courier.fanout.inbox;

import java.util.Map;

/**
 * Told after each inbox batch committed to the database and before its offsets are committed to Kafka. Beans of this
 * type observe the writer (metrics, tests that crash the worker in exactly that window).
 */
@FunctionalInterface
public interface InboxCommitListener {

    /** @param heads the new head seq of every user the batch wrote to */
    void committed(Map<String, Long> heads);
}
