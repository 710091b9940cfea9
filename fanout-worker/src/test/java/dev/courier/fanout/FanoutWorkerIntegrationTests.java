package dev.courier.fanout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.common.ConversationRecord;
import dev.courier.common.InboxEntries;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.expansion.InboxPartitions;

import static dev.courier.fanout.TestRecords.added;
import static dev.courier.fanout.TestRecords.direct;
import static dev.courier.fanout.TestRecords.group;
import static dev.courier.fanout.TestRecords.message;
import static dev.courier.fanout.TestRecords.removed;
import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The fanout-worker as it runs, both stages, in this JVM on the shared servers: conversation records published to
 * {@code courier.conversations} end in the inboxes of their recipients exactly as if applied one by one in log order,
 * however the consumer happens to batch them, and a record that can never be applied is dead-lettered alone with its
 * reason while the records around it are delivered once. (How one batch is applied is in the component tests of the
 * {@code expansion} package, with batches built by hand.)
 */
class FanoutWorkerIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static ConfigurableApplicationContext worker;

    private final JdbcClient jdbc = TestServers.jdbc();

    @BeforeAll
    static void startWorker() {
        worker = TestFanoutWorker.start();
    }

    @AfterAll
    static void stopWorker() {
        worker.close();
    }

    @Test
    void membershipEventsBetweenMessagesChangeTheRecipientsOfTheMessagesAfterThem() {
        String owner = person("owner");
        String bob = person("bob");
        String carol = person("carol");
        // bob's markers come from someone else, so that they are in no other inbox checked here
        String postman = person("postman");
        String groupId = TestServers.group(owner, bob);
        String conversation = group(groupId);
        ConversationRecord.MessagePosted m1 = message(owner, conversation, "before carol joined");
        ConversationRecord.MessagePosted m2 = message(owner, conversation, "carol is in, bob still in");
        ConversationRecord.MessagePosted m3 = message(owner, conversation, "bob is out");
        ConversationRecord.MessagePosted m4 = message(carol, conversation, "carol writes");

        // retried sends of m1 and m2 behind the changes: each stored once, expanded to its first members again
        publish(m1, added(groupId, carol, owner), m2, removed(groupId, bob, owner), m3, m1, m4, m2);

        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(inbox(owner))
                        .containsExactly(m1.messageId(), m2.messageId(), m3.messageId(), m4.messageId()));
        await().atMost(DELIVERY)
                .untilAsserted(
                        () -> assertThat(inbox(carol)).containsExactly(m2.messageId(), m3.messageId(), m4.messageId()));
        assertThat(inboxAfterMarker(bob, postman)).containsExactly(m1.messageId(), m2.messageId());

        // redelivered after the membership changes: stored messages keep their members
        ConversationRecord.MessagePosted m5 = message(owner, conversation, "after the redelivery");
        publish(m1, m3, m5, m4);
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(inbox(owner))
                        .containsExactly(
                                m1.messageId(), m2.messageId(), m3.messageId(), m4.messageId(), m5.messageId()));
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(inbox(carol))
                        .containsExactly(m2.messageId(), m3.messageId(), m4.messageId(), m5.messageId()));
        assertThat(inboxAfterMarker(bob, postman)).containsExactly(m1.messageId(), m2.messageId());
    }

    @Test
    void aRecordThatCanNeverBeAppliedIsDeadLetteredAloneWithItsReasonAndTheOthersAreDeliveredOnce() {
        String owner = person("owner");
        String bob = person("bob");
        String outsider = person("outsider");
        String groupId = TestServers.group(owner, bob);
        String conversation = group(groupId);
        ConversationRecord.MessagePosted before = message(owner, conversation, "before");
        ConversationRecord.MessagePosted stored = message(bob, conversation, "stored before the poison");
        ConversationRecord.MessagePosted poison = message(outsider, conversation, "sneaked in");
        ConversationRecord.MessagePosted after = message(owner, conversation, "after");
        ConversationRecord.MessagePosted last = message(bob, conversation, "last");

        try (KafkaConsumer<String, String> deadLetters =
                TestServers.consumerFromEnd(Topics.deadLetter(Topics.CONVERSATIONS))) {
            publish(before, stored, before, poison, after, stored, last);

            List<String> delivered =
                    List.of(before.messageId(), stored.messageId(), after.messageId(), last.messageId());
            await().atMost(DELIVERY).untilAsserted(() -> assertThat(inbox(bob)).containsExactlyElementsOf(delivered));
            await().atMost(DELIVERY)
                    .untilAsserted(() -> assertThat(inbox(owner)).containsExactlyElementsOf(delivered));

            // every record before the last one is done: delivered, or dead-lettered before the partition moved on
            List<ConsumerRecord<String, String>> mine = TestServers.readToEnd(deadLetters).stream()
                    .filter(record -> conversation.equals(record.key()))
                    .toList();
            assertThat(mine).singleElement().satisfies(letter -> {
                assertThat(letter.value()).isEqualTo(Records.encode(poison));
                assertThat(header(letter, "courier.dlt.reason")).isEqualTo("not_member");
                assertThat(header(letter, "courier.dlt.detail")).contains(outsider);
                assertThat(header(letter, "courier.dlt.source")).startsWith(Topics.CONVERSATIONS + "/");
            });
        }
    }

    @Test
    void aDirectEntryIsWrittenBeforeTheBacklogOfGroupFanOutPublishedAheadOfIt() {
        // a storm in every inbox partition: 150 messages of a group of 60 users of that partition each
        int perPartition = 150;
        int members = 60;
        String storm = group(TestServers.uniqueId("storm"));
        List<String> bobs = new ArrayList<>();
        for (int partition = 0; partition < TestServers.PARTITIONS; partition++) {
            List<String> users = usersOfPartition(partition, members);
            bobs.add(users.getFirst());
            for (int n = 1; n <= perPartition; n++) {
                String value = Records.encode(new InboxEntries(
                        storm.substring(2) + "-" + n + "-" + partition, storm, users, n, users.getLast(), "text"));
                TestServers.kafka().send(Topics.INBOX_GROUPS, partition, users.getFirst(), value);
            }
        }
        String bob = bobs.getFirst();
        String direct = TestServers.uniqueId("direct");
        TestServers.kafka()
                .send(
                        Topics.INBOX,
                        0,
                        bob,
                        Records.encode(
                                new InboxEntries(direct, direct(bob, "alice"), List.of(bob), 1, "alice", "text")));
        TestServers.kafka().flush();

        await().atMost(DELIVERY)
                .until(() -> jdbc.sql("SELECT COUNT(*) FROM inbox WHERE user_id = ? AND message_id = ?")
                                .params(bob, direct)
                                .query(Long.class)
                                .single()
                        == 1);
        long stormRows = jdbc.sql("SELECT COUNT(*) FROM inbox WHERE message_id LIKE ?")
                .param(storm.substring(2) + "-%")
                .query(Long.class)
                .single();
        // the group lane yields after each batch: the direct entry waited for a batch or two, not for the backlog
        assertThat(stormRows).isLessThan((long) perPartition * members * TestServers.PARTITIONS / 2);
        await().atMost(DELIVERY)
                .until(() -> jdbc.sql("SELECT COUNT(*) FROM inbox WHERE message_id LIKE ?")
                                .param(storm.substring(2) + "-%")
                                .query(Long.class)
                                .single()
                        == (long) perPartition * members * TestServers.PARTITIONS);
    }

    private static List<String> usersOfPartition(int partition, int count) {
        List<String> users = new ArrayList<>();
        while (users.size() < count) {
            String user = TestServers.uniqueId("m");
            if (InboxPartitions.of(user, TestServers.PARTITIONS) == partition) {
                users.add(user);
            }
        }
        return users;
    }

    @Test
    void declaresEveryTopicItReadsOrWritesAndADeadLetterTopicForEachTopicRead() {
        // courier.expanded is read by the bridge-worker, whose dead letters go to courier.expanded.dlt; courier.push is
        // read by the push-worker, which declares its dead-letter topic
        assertThat(worker.getBeansOfType(NewTopic.class).values())
                .extracting(NewTopic::name, NewTopic::numPartitions)
                .containsExactlyInAnyOrder(
                        tuple(Topics.CONVERSATIONS, 8),
                        tuple(Topics.INBOX, 8),
                        tuple(Topics.INBOX_GROUPS, 8),
                        tuple(Topics.EXPANDED, 8),
                        tuple(Topics.PUSH, 8),
                        tuple(Topics.deadLetter(Topics.CONVERSATIONS), 1),
                        tuple(Topics.deadLetter(Topics.INBOX), 1),
                        tuple(Topics.deadLetter(Topics.INBOX_GROUPS), 1),
                        tuple(Topics.deadLetter(Topics.EXPANDED), 1));
    }

    private void publish(ConversationRecord... records) {
        for (ConversationRecord record : records) {
            TestServers.kafka().send(Topics.CONVERSATIONS, record.conversation(), Records.encode(record));
        }
        TestServers.kafka().flush();
    }

    /** The message ids of the user's inbox, in seq order. */
    /** The user's inbox but its system messages (GroupAdministrationIntegrationTests checks those). */
    private List<String> inbox(String user) {
        return jdbc.sql("""
                        SELECT i.message_id FROM inbox i JOIN messages m ON m.message_id = i.message_id
                        WHERE i.user_id = ? AND m.kind <> 'system' ORDER BY i.seq
                        """).param(user).query(String.class).list();
    }

    /**
     * The user's inbox without the marker sent to them now: once the marker is in, whatever the worker expanded to the
     * user before it is written too (the same inbox partition, in order).
     */
    private List<String> inboxAfterMarker(String user, String from) {
        ConversationRecord.MessagePosted marker = message(from, direct(from, user), "marker");
        publish(marker);
        await().atMost(DELIVERY).untilAsserted(() -> assertThat(inbox(user)).contains(marker.messageId()));
        List<String> markers = jdbc.sql("SELECT message_id FROM messages WHERE sender_id = ?")
                .param(from)
                .query(String.class)
                .list();
        return inbox(user).stream().filter(id -> !markers.contains(id)).toList();
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as(name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
