package dev.courier.fanout.expansion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.listener.BatchListenerFailedException;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.InboxEntries;
import dev.courier.common.InboxRecord;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.TestServers;

import static dev.courier.fanout.TestRecords.conversationBatch;
import static dev.courier.fanout.TestRecords.direct;
import static dev.courier.fanout.TestRecords.group;
import static dev.courier.fanout.TestRecords.message;
import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The expansion stage's {@link ConversationListener} on the real database and Kafka, handed batches of consumer
 * records built by hand (as its container would hand them over): what it publishes to {@code courier.inbox} and
 * {@code courier.expanded}, and how it names the one record of a batch that can never be applied.
 */
class ConversationListenerIntegrationTests {

    private static KafkaConsumer<String, String> published;

    private final JdbcClient jdbc = TestServers.jdbc();

    private final ConversationListener listener = new ConversationListener(
            TestExpanders.expander(jdbc), TestServers.transactions(), TestServers.kafka(), new SimpleMeterRegistry());

    private final String alice = person("alice");

    private final String bob = person("bob");

    @BeforeAll
    static void subscribe() {
        published = TestServers.consumerFromEnd(Topics.INBOX, Topics.INBOX_GROUPS, Topics.EXPANDED);
    }

    @AfterAll
    static void unsubscribe() {
        published.close();
    }

    @BeforeEach
    void skipWhatEarlierTestsPublished() {
        TestServers.readToEnd(published);
    }

    @Test
    void inboxRecordsLandOnThePartitionThatOwnsEachRecipientsInbox() {
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            others.add(person("member" + i));
        }
        String groupId = TestServers.group(alice, others.toArray(String[]::new));
        ConversationRecord.MessagePosted hello = message(alice, group(groupId), "hello all");

        listener.on(conversationBatch(hello));

        List<ConsumerRecord<String, String>> inbox = inboxRecordsOf(hello);
        int partitions = TestServers.PARTITIONS;
        assertThat(inbox).extracting(ConsumerRecord::partition).doesNotHaveDuplicates();
        for (ConsumerRecord<String, String> record : inbox) {
            InboxEntries entries = entries(record);
            assertThat(record.key()).isEqualTo(entries.userIds().getFirst());
            assertThat(entries.conversation()).isEqualTo(hello.conversation());
            assertThat(entries.userIds())
                    .allSatisfy(user -> assertThat(InboxPartitions.of(user, partitions))
                            .as(user)
                            .isEqualTo(record.partition()));
        }
        List<String> recipients = inbox.stream()
                .flatMap(record -> entries(record).userIds().stream())
                .toList();
        List<String> members = new ArrayList<>(others);
        members.add(alice);
        assertThat(recipients).containsExactlyInAnyOrderElementsOf(members);
    }

    @Test
    void aGroupsRecordsTravelTheGroupsLaneAndADirectConversationsTheDirectLaneAtTheSamePartitions() {
        String groupId = TestServers.group(alice, bob);
        ConversationRecord.MessagePosted toGroup = message(alice, group(groupId), "to the group");
        ConversationRecord.MessagePosted toBob = message(alice, direct(alice, bob), "to bob");

        listener.on(conversationBatch(toGroup, toBob));

        List<ConsumerRecord<String, String>> records = TestServers.readToEnd(published);
        List<ConsumerRecord<String, String>> ofGroup = inboxRecordsOf(records, toGroup);
        List<ConsumerRecord<String, String>> ofBob = inboxRecordsOf(records, toBob);
        assertThat(ofGroup)
                .isNotEmpty()
                .allSatisfy(record -> assertThat(record.topic()).isEqualTo(Topics.INBOX_GROUPS));
        assertThat(ofBob)
                .isNotEmpty()
                .allSatisfy(record -> assertThat(record.topic()).isEqualTo(Topics.INBOX));
        // bob's entries of both lanes reach the partition of the same number: one writer owns his inbox
        assertThat(ofGroup.stream()
                        .filter(record -> entries(record).userIds().contains(bob))
                        .map(ConsumerRecord::partition))
                .containsExactlyElementsOf(ofBob.stream()
                        .filter(record -> entries(record).userIds().contains(bob))
                        .map(ConsumerRecord::partition)
                        .toList());
    }

    @Test
    void messageExpandedIsPublishedOnlyForMessagesThatReachedBridgeIdentities() {
        String weibo = TestServers.bridgeIdentity("weibo");
        String groupId = TestServers.group(alice, bob, weibo);
        ConversationRecord.MessagePosted toGroup = message(bob, group(groupId), "to weibo too");
        ConversationRecord.MessagePosted toBob = message(alice, direct(alice, bob), "only to bob");

        listener.on(conversationBatch(toGroup, toBob));

        List<ConsumerRecord<String, String>> records = TestServers.readToEnd(published);
        List<ConsumerRecord<String, String>> expanded = records.stream()
                .filter(record -> record.topic().equals(Topics.EXPANDED))
                .toList();
        assertThat(expanded).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(toGroup.conversation());
            ExpandedMessage message = Records.decodeExpanded(record.value());
            assertThat(message.messageId()).isEqualTo(toGroup.messageId());
            assertThat(message.from()).isEqualTo(bob);
            assertThat(message.bridgeRecipients()).containsExactly(weibo);
        });
        assertThat(inboxEntries(records))
                .extracting(InboxRecord.Entry::messageId)
                .containsOnly(toGroup.messageId(), toBob.messageId());
    }

    @Test
    void aRecordTheDatabaseRefusesForGoodFailsTheBatchAtItsIndexAsConflictAfterTheRecordsBeforeIt() {
        ConversationRecord.MessagePosted first =
                message("m-first-" + alice, "same-send", alice, direct(alice, bob), "first");
        ConversationRecord.MessagePosted good = message(alice, direct(alice, bob), "good");
        // valid on its own, but a second message of the same send (sender, clientMsgId) under another id: only the
        // database's unique key can tell
        ConversationRecord.MessagePosted sameSend =
                message("m-again-" + alice, "same-send", alice, direct(alice, bob), "again");
        ConversationRecord.MessagePosted after = message(alice, direct(alice, bob), "after");

        BatchListenerFailedException failure = catchThrowableOfType(
                BatchListenerFailedException.class, () -> listener.on(conversationBatch(first, good, sameSend, after)));

        assertThat(failure.getIndex()).isEqualTo(2);
        assertThat(failure.getCause())
                .isInstanceOfSatisfying(
                        Records.InvalidRecordException.class,
                        invalid -> assertThat(invalid.reason()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(stored(first, good, sameSend, after)).containsExactly(first.messageId(), good.messageId());
        assertThat(inboxEntries(TestServers.readToEnd(published)))
                .extracting(InboxRecord.Entry::messageId)
                .containsExactlyInAnyOrder(first.messageId(), first.messageId(), good.messageId(), good.messageId());
    }

    @Test
    void aRecordThatCanNeverBeAppliedFailsTheBatchAtItsIndexWithItsReasonAfterTheRecordsBeforeIt() {
        String outsider = person("outsider");
        String groupId = TestServers.group(alice, bob);
        ConversationRecord.MessagePosted before = message(bob, group(groupId), "before");
        ConversationRecord.MessagePosted poison = message(outsider, group(groupId), "sneaked in");
        ConversationRecord.MessagePosted after = message(alice, group(groupId), "after");

        BatchListenerFailedException failure = catchThrowableOfType(
                BatchListenerFailedException.class,
                () -> listener.on(conversationBatch(before, before, poison, after)));

        assertThat(failure.getIndex()).isEqualTo(2);
        assertThat(failure.getCause())
                .isInstanceOfSatisfying(
                        Records.InvalidRecordException.class,
                        invalid -> assertThat(invalid.reason()).isEqualTo(ErrorCode.NOT_MEMBER));
        assertThat(stored(before, poison, after)).containsExactly(before.messageId());
        assertThat(inboxEntries(TestServers.readToEnd(published)))
                .extracting(InboxRecord.Entry::userId, InboxRecord.Entry::messageId)
                .containsOnly(tuple(alice, before.messageId()), tuple(bob, before.messageId()));
    }

    /** The inbox records of the message, read up to the end of the topic. */
    private List<ConsumerRecord<String, String>> inboxRecordsOf(ConversationRecord.MessagePosted message) {
        return inboxRecordsOf(TestServers.readToEnd(published), message);
    }

    private static List<ConsumerRecord<String, String>> inboxRecordsOf(
            List<ConsumerRecord<String, String>> records, ConversationRecord.MessagePosted message) {
        return records.stream()
                .filter(record -> isInbox(record.topic()))
                .filter(record -> record.value().contains("\"type\":\"inbox.entries\""))
                .filter(record -> entries(record).messageId().equals(message.messageId()))
                .toList();
    }

    private static boolean isInbox(String topic) {
        return topic.equals(Topics.INBOX) || topic.equals(Topics.INBOX_GROUPS);
    }

    private static InboxEntries entries(ConsumerRecord<String, String> record) {
        List<InboxRecord.Entry> entries = Records.decodeInboxRecord(record.value()).stream()
                .map(InboxRecord.Entry.class::cast)
                .toList();
        assertThat(record.value()).contains("\"type\":\"inbox.entries\"");
        InboxRecord.Entry first = entries.getFirst();
        return new InboxEntries(
                first.messageId(),
                first.conversation(),
                entries.stream().map(InboxRecord.Entry::userId).toList(),
                first.convSeq(),
                first.from(),
                first.kind());
    }

    private static List<InboxRecord.Entry> inboxEntries(List<ConsumerRecord<String, String>> records) {
        return records.stream()
                .filter(record -> isInbox(record.topic()))
                .flatMap(record -> Records.decodeInboxRecord(record.value()).stream())
                .filter(InboxRecord.Entry.class::isInstance)
                .map(InboxRecord.Entry.class::cast)
                .filter(entry -> !"system".equals(entry.kind())) // a group's first entry, group.created
                .toList();
    }

    /** Which of these messages are stored, in order. */
    private List<String> stored(ConversationRecord.MessagePosted... messages) {
        Set<String> ids = Arrays.stream(messages)
                .map(ConversationRecord.MessagePosted::messageId)
                .collect(Collectors.toSet());
        Set<String> stored = Set.copyOf(jdbc.sql("SELECT message_id FROM messages WHERE message_id IN (:ids)")
                .param("ids", ids)
                .query(String.class)
                .list());
        return Arrays.stream(messages)
                .map(ConversationRecord.MessagePosted::messageId)
                .filter(stored::contains)
                .toList();
    }
}
