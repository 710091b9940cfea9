package dev.courier.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.common.ConversationRecord;
import dev.courier.common.PushCandidate;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.testinfra.JavaProcess;

import static dev.courier.fanout.TestRecords.direct;
import static dev.courier.fanout.TestRecords.message;
import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inbox writer dies between its database commit and its offset commit; the batch is redelivered to its successor,
 * which must write nothing twice, reorder nothing and skip nothing. The worker that dies runs in a JVM of its own;
 * the successor in this one.
 */
class InboxWriterCrashIntegrationTests {

    private final JdbcClient jdbc = TestServers.jdbc();

    @Test
    void aWriterHaltedAfterItsDatabaseCommitBeforeItsOffsetCommitLosesReordersAndDuplicatesNothing() {
        String alice = person("alice");
        String bob = person("bob");
        TestServers.pushToken(bob, "phone", "bob-phone");
        KafkaConsumer<String, String> pushTopic = TestServers.consumerFromEnd(Topics.PUSH);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sent.add(publish(message(alice, direct(alice, bob), "before the crash " + i)));
        }

        List<String> args = new ArrayList<>(TestFanoutWorker.arguments());
        args.add("--courier.test.crash-on-user=" + bob);
        // a crashed member's partitions move on after this (the broker's least), instead of the worker's 10 s
        args.add("--spring.kafka.consumer.properties.session.timeout.ms=6000");
        args.add("--spring.kafka.consumer.properties.heartbeat.interval.ms=1000");
        try (JavaProcess crashing = JavaProcess.start(CrashingFanoutWorker.class.getName(), args)) {
            await().atMost(Duration.ofSeconds(90)).until(() -> !crashing.isAlive());
            assertThat(crashing.exitValue()).as(crashing.output()).isEqualTo(CrashingFanoutWorker.EXIT_CODE);
            assertThat(crashing.output()).contains("CRASH: inbox batch");
        }
        // the crashed writer did commit rows to the database: they are what redelivery must not duplicate
        assertThat(inbox(bob)).isNotEmpty();

        try (ConfigurableApplicationContext successor = TestFanoutWorker.start()) {
            for (int i = 0; i < 10; i++) {
                sent.add(publish(message(alice, direct(alice, bob), "after the restart " + i)));
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(inbox(bob)).hasSizeGreaterThanOrEqualTo(sent.size());
                assertThat(inbox(alice)).hasSizeGreaterThanOrEqualTo(sent.size());
            });
        }
        for (String user : List.of(alice, bob)) {
            assertThat(inbox(user)).as("the inbox of " + user).containsExactlyElementsOf(sent);
            assertThat(seqs(user))
                    .as("seq without gaps or repeats")
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, sent.size()).boxed().toList());
        }
        // the crashed batch's push candidates were never published: its redelivery publishes them, so every message
        // bob received is a candidate with its seq (some may be there twice: at least once)
        Map<String, Long> seqOf = new HashMap<>();
        List<String> inbox = inbox(bob);
        for (int i = 0; i < inbox.size(); i++) {
            seqOf.put(inbox.get(i), i + 1L);
        }
        try (pushTopic) {
            Map<String, Long> candidates = new HashMap<>();
            for (ConsumerRecord<String, String> record : TestServers.readToEnd(pushTopic)) {
                PushCandidate candidate = Records.decodePush(record.value());
                if (candidate.userId().equals(bob)) {
                    candidates.put(candidate.messageId(), candidate.seq());
                }
            }
            assertThat(candidates)
                    .as("a candidate of each message, with its seq")
                    .isEqualTo(seqOf);
        }
    }

    private static String publish(ConversationRecord.MessagePosted message) {
        TestServers.kafka()
                .send(Topics.CONVERSATIONS, message.conversation(), Records.encode(message))
                .join();
        return message.messageId();
    }

    /** The message ids of the user's inbox, in seq order. */
    private List<String> inbox(String user) {
        return jdbc.sql("SELECT message_id FROM inbox WHERE user_id = ? ORDER BY seq")
                .param(user)
                .query(String.class)
                .list();
    }

    private List<Long> seqs(String user) {
        return jdbc.sql("SELECT seq FROM inbox WHERE user_id = ? ORDER BY seq")
                .param(user)
                .query(Long.class)
                .list();
    }
}
