package dev.courier.fanout.inbox;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.courier.common.InboxEntries;
import dev.courier.common.InboxRecord;
import dev.courier.common.PushCandidate;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.TestServers;
import dev.courier.store.ConversationRepository;
import dev.courier.store.MessageRepository;

import static dev.courier.fanout.TestServers.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox writer's push candidates on {@code courier.push}, published after the commit: one per new entry that may
 * push (a message people send, from someone else, in a conversation the user has not muted, to a user with a token),
 * keyed by the user, with the entry's seq and the user's unread total as the badge; again for the entries of a
 * redelivered batch, which are already present.
 */
class PushCandidatesIntegrationTests {

    private static LettuceConnectionFactory redisConnections;

    private static InboxHintPublisher hints;

    private final InboxListener listener = new InboxListener(
            new InboxRepository(TestServers.jdbcTemplate()),
            new ConversationRepository(TestServers.jdbc()),
            new MessageRepository(TestServers.jdbc()),
            TestServers.transactions(),
            hints,
            new PushCandidatePublisher(TestServers.kafka(), new SimpleMeterRegistry()),
            new StaticListableBeanFactory(Map.of()).getBeanProvider(InboxCommitListener.class),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            TestLanes.off());

    private final KafkaConsumer<String, String> pushTopic = TestServers.consumerFromEnd(Topics.PUSH);

    private final String alice = uniqueId("alice");

    private final String bob = uniqueId("bob");

    /** has no push token */
    private final String carol = uniqueId("carol");

    private final String conversation = "d:" + alice + ":" + bob;

    private int offset;

    private long convSeq;

    @BeforeAll
    static void connectRedis() {
        URI redis = URI.create(TestServers.infrastructure().redisUrl());
        redisConnections =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.getHost(), redis.getPort()));
        redisConnections.afterPropertiesSet();
        redisConnections.start();
        hints = new InboxHintPublisher(
                new StringRedisTemplate(redisConnections), new SimpleMeterRegistry(), Clock.systemUTC());
    }

    @AfterAll
    static void disconnectRedis() {
        hints.destroy();
        redisConnections.destroy();
    }

    @AfterEach
    void closeConsumer() {
        pushTopic.close();
    }

    @Test
    void aMessageFromSomeoneElseIsACandidateOfEachRecipientWithATokenCarryingItsSeqAndTheUnreadTotal() {
        TestServers.pushToken(alice, "phone", "alice-token");
        TestServers.pushToken(bob, "phone", "bob-token");
        TestServers.pushToken(bob, "tablet", "bob-tablet-token");
        long before = System.currentTimeMillis();

        listener.on(
                List.of(message("m1", alice, "text", alice, bob, carol), message("m2", alice, "image", alice, bob)));

        List<PushCandidate> candidates = candidates();
        assertThat(candidates)
                .as("none for the sender, none for carol who has no token, one per entry for bob's two devices")
                .extracting(PushCandidate::userId, PushCandidate::seq, PushCandidate::messageId, PushCandidate::badge)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(bob, 1L, id("m1"), 2L),
                        org.assertj.core.groups.Tuple.tuple(bob, 2L, id("m2"), 2L));
        assertThat(candidates).allSatisfy(candidate -> {
            assertThat(candidate.conversation()).isEqualTo(conversation);
            assertThat(candidate.from()).isEqualTo(alice);
            assertThat(candidate.committedAt()).isBetween(before, System.currentTimeMillis());
        });
        assertThat(candidates.getFirst().kind()).isEqualTo("text");
        assertThat(candidates.get(1).kind()).isEqualTo("image");
    }

    @Test
    void lifecycleEntriesSystemMessagesAndMutedConversationsMakeNoCandidate() {
        TestServers.pushToken(bob, "phone", "bob-token");
        listener.on(List.of(message("m1", alice, "text", bob)));
        assertThat(candidates()).extracting(PushCandidate::messageId).containsExactly(id("m1"));

        listener.on(List.of(
                message("recall", alice, "recall", bob),
                message("edit", alice, "edit", bob),
                message("reaction", alice, "reaction", bob),
                message("system", alice, "system", bob)));
        assertThat(candidates()).as("lifecycle entries and system messages").isEmpty();

        listener.on(List.of(
                record(Records.encode(new InboxRecord.Muted(bob, conversation, true))),
                message("muted", alice, "text", bob)));
        assertThat(candidates()).as("a message after the mute").isEmpty();

        listener.on(List.of(
                record(Records.encode(new InboxRecord.Muted(bob, conversation, false))),
                message("unmuted", alice, "text", bob)));
        assertThat(candidates()).extracting(PushCandidate::messageId).containsExactly(id("unmuted"));
    }

    @Test
    void aRedeliveredBatchPublishesTheCandidatesOfItsPresentRowsAgainWithTheirSeqs() {
        TestServers.pushToken(bob, "phone", "bob-token");
        List<ConsumerRecord<String, String>> batch =
                List.of(message("m1", alice, "text", bob), message("m2", alice, "text", bob));
        listener.on(batch);
        List<PushCandidate> first = candidates();
        assertThat(first).extracting(PushCandidate::seq).containsExactly(1L, 2L);

        // the same batch again, as after a crash between the database commit and the publish
        listener.on(List.of(batch.get(0), batch.get(1), message("m3", alice, "text", bob)));

        assertThat(candidates())
                .extracting(PushCandidate::messageId, PushCandidate::seq, PushCandidate::badge)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(id("m1"), 1L, 3L),
                        org.assertj.core.groups.Tuple.tuple(id("m2"), 2L, 3L),
                        org.assertj.core.groups.Tuple.tuple(id("m3"), 3L, 3L));
    }

    @Test
    void aLateRedeliveryOfEntriesTheUserHasReadSinceIsNoNewsAndMakesNoCandidate() {
        TestServers.pushToken(bob, "phone", "bob-token");
        List<ConsumerRecord<String, String>> batch =
                List.of(message("m1", alice, "text", bob), message("m2", alice, "text", bob));
        listener.on(batch);
        assertThat(candidates()).hasSize(2);
        listener.on(List.of(record(Records.encode(new InboxRecord.Read(bob, conversation, 1)))));

        // redelivered minutes later: m1 was read meanwhile, m2 was not
        listener.on(batch);

        assertThat(candidates()).extracting(PushCandidate::messageId).containsExactly(id("m2"));
    }

    /** The candidates published since the last call, each keyed by its user. */
    private List<PushCandidate> candidates() {
        List<ConsumerRecord<String, String>> records = TestServers.readToEnd(pushTopic);
        records.forEach(record -> assertThat(record.key())
                .isEqualTo(Records.decodePush(record.value()).userId()));
        return records.stream()
                .map(record -> Records.decodePush(record.value()))
                .filter(candidate -> candidate.userId().equals(alice)
                        || candidate.userId().equals(bob)
                        || candidate.userId().equals(carol))
                .toList();
    }

    /** One {@code inbox.entries} record of the conversation's next message. */
    private ConsumerRecord<String, String> message(String name, String from, String kind, String... users) {
        return record(Records.encode(new InboxEntries(id(name), conversation, List.of(users), ++convSeq, from, kind)));
    }

    private ConsumerRecord<String, String> record(String value) {
        return new ConsumerRecord<>(Topics.INBOX, 0, offset++, alice, value);
    }

    private String id(String name) {
        return name + "-" + alice;
    }
}
