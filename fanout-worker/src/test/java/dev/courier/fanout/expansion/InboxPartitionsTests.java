package dev.courier.fanout.expansion;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Grouped inbox records must land where records keyed by each user would: one writer per inbox. */
class InboxPartitionsTests {

    @Test
    void matchesKafkasPartitionerForKeyedRecords() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 20_000; i++) {
            String user = "u" + Long.toString(random.nextLong() >>> 1, 36) + (i % 7 == 0 ? ".a-b_c" : "");
            int partitions = 1 + random.nextInt(64);
            assertThat(InboxPartitions.of(user, partitions))
                    .as(user + " of " + partitions)
                    .isEqualTo(BuiltInPartitioner.partitionForKey(user.getBytes(StandardCharsets.UTF_8), partitions));
        }
    }
}
