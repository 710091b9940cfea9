package dev.courier.fanout.expansion;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.Utils;

/**
 * Which partition of {@code courier.inbox} owns a user's inbox: the one Kafka's default partitioner gives a record
 * keyed by the user id. The expansion stage addresses its multi-recipient records by it, so a user's entries reach the
 * same single writer whether they came keyed or grouped.
 */
public final class InboxPartitions {

    private InboxPartitions() {}

    public static int of(String userId, int partitions) {
        return Utils.toPositive(Utils.murmur2(userId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
