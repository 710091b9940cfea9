package dev.courier.fanout.inbox;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.listener.BatchListenerFailedException;

import dev.courier.common.ErrorCode;
import dev.courier.common.Hints;
import dev.courier.common.InboxEntries;
import dev.courier.common.InboxEntry;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.fanout.TestServers;
import dev.courier.store.ConversationRepository;
import dev.courier.store.MessageRepository;

import static dev.courier.fanout.TestServers.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The inbox writer's {@link InboxListener} on the real database and Redis, handed batches of {@code courier.inbox}
 * records built by hand: the seq it gives each entry, what it skips, where it stops, and the hints that follow.
 */
class InboxListenerIntegrationTests {

    private static LettuceConnectionFactory redisConnections;

    private static InboxHintPublisher hints;

    private final JdbcClient jdbc = TestServers.jdbc();

    private final List<InboxCommitListener.Row> committedRows = new CopyOnWriteArrayList<>();

    private final InboxListener listener = new InboxListener(
            new InboxRepository(TestServers.jdbcTemplate()),
            new ConversationRepository(TestServers.jdbc()),
            new MessageRepository(TestServers.jdbc()),
            TestServers.transactions(),
            hints,
            new PushCandidatePublisher(TestServers.kafka(), new SimpleMeterRegistry()),
            new StaticListableBeanFactory(Map.of("rows", new InboxCommitListener() {
                        @Override
                        public void committed(Map<String, Long> heads) {}

                        @Override
                        public void committed(Map<String, Long> heads, List<Row> rows) {
                            committedRows.addAll(rows);
                        }
                    }))
                    .getBeanProvider(InboxCommitListener.class),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            TestLanes.off());

    private final String alice = uniqueId("alice");

    private final String bob = uniqueId("bob");

    private final String conversation = "d:" + alice + ":" + bob;

    private int offset;

    @BeforeAll
    static void connectRedis() {
        URI redis = URI.create(TestServers.infrastructure().redisUrl());
        redisConnections =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.getHost(), redis.getPort()));
        redisConnections.afterPropertiesSet();
        redisConnections.start();
        hints = new InboxHintPublisher(
                new StringRedisTemplate(redisConnections), new SimpleMeterRegistry(), java.time.Clock.systemUTC());
    }

    @AfterAll
    static void disconnectRedis() {
        hints.destroy();
        redisConnections.destroy();
    }

    @Test
    void eachUsersEntriesGetTheUsersNextSeqsWithoutGapsInRecordOrder() {
        listener.on(List.of(entries("m1", alice, bob), entries("m2", bob)));
        listener.on(List.of(entries("m3", alice), entries("m4", bob, alice), entries("m5", bob)));

        assertThat(inbox(alice)).containsExactly("1 m1", "2 m3", "3 m4");
        assertThat(inbox(bob)).containsExactly("1 m1", "2 m2", "3 m4", "4 m5");
        assertThat(head(alice)).isEqualTo(3);
        assertThat(head(bob)).isEqualTo(4);
    }

    @Test
    void redeliveredEntriesAreSkippedAndOnlyTheNewRowsAreReported() {
        listener.on(List.of(entries("m1", alice, bob), entries("m2", alice)));
        committedRows.clear();

        // the batch again after a crash before its offset commit, with a new entry and one entry twice
        listener.on(
                List.of(entries("m1", alice, bob), entries("m2", alice), entries("m3", alice), entries("m3", alice)));

        assertThat(inbox(alice)).containsExactly("1 m1", "2 m2", "3 m3");
        assertThat(inbox(bob)).containsExactly("1 m1");
        assertThat(committedRows).containsExactly(new InboxCommitListener.Row(alice, 3, id("m3")));

        committedRows.clear();
        listener.on(List.of(entries("m3", alice)));
        assertThat(committedRows).as("a batch of nothing new is not reported").isEmpty();
    }

    @Test
    void aRedeliveredEntryOfAGroupWithManyMembersIsSkippedForEachOfThem() {
        // many users of one message are looked up by the message, the few of others pair by pair
        String[] members = new String[40];
        for (int i = 0; i < members.length; i++) {
            members[i] = uniqueId("member");
        }
        listener.on(List.of(entries("big", members), entries("small", alice, bob)));
        committedRows.clear();

        listener.on(List.of(entries("big", members), entries("small", alice, bob), entries("after", members[7])));

        assertThat(committedRows).containsExactly(new InboxCommitListener.Row(members[7], 2, id("after")));
        for (String member : members) {
            assertThat(inbox(member)).as(member).startsWith("1 big");
        }
        assertThat(inbox(members[7])).containsExactly("1 big", "2 after");
        assertThat(inbox(alice)).containsExactly("1 small");
    }

    @Test
    void inboxEntryRecordsOfOneUserAreReadLikeInboxEntriesRecords() {
        listener.on(List.of(entry("m1", bob), entries("m2", alice, bob), entry("m3", alice), entry("m2", alice)));

        assertThat(inbox(alice)).containsExactly("1 m2", "2 m3");
        assertThat(inbox(bob)).containsExactly("1 m1", "2 m2");
    }

    @Test
    void anUndecodableRecordFailsTheBatchAtItsIndexAsInvalidRequestAfterTheRecordsBeforeItAreWritten() {
        String tooLongUser = "{\"type\":\"inbox.entries\",\"v\":1,\"messageId\":\"" + id("mx") + "\","
                + "\"conversation\":\"" + conversation + "\",\"userIds\":[\"" + "u".repeat(70) + "\"]}";

        BatchListenerFailedException failure = catchThrowableOfType(
                BatchListenerFailedException.class,
                () -> listener.on(List.of(
                        entries("m1", alice), entry("m2", bob), record(tooLongUser), entries("m3", alice, bob))));

        assertThat(failure.getIndex()).isEqualTo(2);
        assertThat(failure.getCause())
                .isInstanceOfSatisfying(
                        Records.InvalidRecordException.class,
                        invalid -> assertThat(invalid.reason()).isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThat(inbox(alice)).containsExactly("1 m1");
        assertThat(inbox(bob)).containsExactly("1 m2");

        // the consumer goes on after the dead-lettered record
        listener.on(List.of(entries("m3", alice, bob)));
        assertThat(inbox(alice)).containsExactly("1 m1", "2 m3");
        assertThat(inbox(bob)).containsExactly("1 m2", "2 m3");
    }

    @Test
    void hintsCarryEachUsersNewHeadSeqAfterTheCommit() {
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        RedisClient client = RedisClient.create(TestServers.infrastructure().redisUrl());
        try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub()) {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>())
                            .add(message);
                }
            });
            subscriber.sync().subscribe(Hints.channel(alice), Hints.channel(bob));

            listener.on(List.of(entries("m1", alice, bob), entries("m2", alice)));
            listener.on(List.of(entries("m3", alice)));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(received.get(Hints.channel(alice))).containsExactly("2", "3");
                assertThat(received.get(Hints.channel(bob))).containsExactly("1");
            });
        } finally {
            client.shutdown();
        }
    }

    /** One {@code inbox.entries} record: message {@code name} (made unique to this test) for these users. */
    private ConsumerRecord<String, String> entries(String name, String... users) {
        return record(Records.encode(new InboxEntries(id(name), conversation, List.of(users), 0, null, null)));
    }

    /** One {@code inbox.entry} record, as single entries were written before {@code inbox.entries}. */
    private ConsumerRecord<String, String> entry(String name, String user) {
        return record(Records.encode(new InboxEntry(user, id(name), conversation)));
    }

    private ConsumerRecord<String, String> record(String value) {
        return new ConsumerRecord<>(Topics.INBOX, 0, offset++, alice, value);
    }

    /** The id of message {@code name} of this test. */
    private String id(String name) {
        return name + "-" + alice;
    }

    /** {@code "<seq> <message>"} of every row of the user's inbox, in seq order, with the test's message names. */
    private List<String> inbox(String user) {
        List<String> rows = new ArrayList<>();
        jdbc.sql("SELECT seq, message_id FROM inbox WHERE user_id = ? ORDER BY seq")
                .param(user)
                .query(rs -> {
                    rows.add(rs.getLong(1) + " " + rs.getString(2).replace("-" + alice, ""));
                });
        return rows;
    }

    private long head(String user) {
        return jdbc.sql("SELECT head_seq FROM inbox_heads WHERE user_id = ?")
                .param(user)
                .query(Long.class)
                .single();
    }
}
