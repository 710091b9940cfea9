package dev.courier.standalone;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationRecord;
import dev.courier.common.MessageId;
import dev.courier.common.Records;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The expansion stage applies a batch of conversation records with a few statements for the whole batch, yet exactly
 * as if one by one in log order. The records of each test are published together (one producer batch to one
 * partition, so one batch of the consumer): messages, membership events between them, a retried send, and a record
 * that can never be applied.
 */
class ExpansionBatchIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private final Api api = TestSystem.api();

    @Test
    void membershipEventsInTheMiddleOfABatchChangeTheMembersOfTheMessagesAfterThem() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        // bob's markers come from someone else, so that they are in no other inbox checked here
        Api.Session postman = api.newUser("postman");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        String conversation = "g:" + groupId;
        ConversationRecord.MessagePosted m1 = message(owner, conversation, "before carol joined");
        ConversationRecord.MessagePosted m2 = message(owner, conversation, "carol is in, bob still in");
        ConversationRecord.MessagePosted m3 = message(owner, conversation, "bob is out");
        ConversationRecord.MessagePosted m4 = message(carol, conversation, "carol writes");

        // a retried send of m1 and of m2 in the same batch: each stored once, expanded to its first members again
        publishTogether(
                conversation, m1, added(groupId, carol, owner), m2, removed(groupId, bob, owner), m3, m1, m4, m2);

        Api.Device owners = api.deviceOf(owner);
        Api.Device bobs = api.deviceOf(bob);
        Api.Device carols = api.deviceOf(carol);
        await().atMost(DELIVERY).untilAsserted(() -> {
            owners.syncAll();
            assertThat(owners.messageIds())
                    .containsExactly(m1.messageId(), m2.messageId(), m3.messageId(), m4.messageId());
        });
        await().atMost(DELIVERY).untilAsserted(() -> {
            carols.syncAll();
            assertThat(carols.messageIds()).containsExactly(m2.messageId(), m3.messageId(), m4.messageId());
        });
        String marker = api.sendOk(postman, "u:" + bob.userId(), "marker");
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).contains(marker);
        });
        assertThat(bobs.messageIds()).containsExactly(m1.messageId(), m2.messageId(), marker);

        // redelivered in a later batch, after the membership changes: stored messages keep their members
        ConversationRecord.MessagePosted m5 = message(owner, conversation, "after the redelivery");
        publishTogether(conversation, m1, m3, m5, m4);
        await().atMost(DELIVERY).untilAsserted(() -> {
            owners.syncAll();
            assertThat(owners.messageIds())
                    .containsExactly(m1.messageId(), m2.messageId(), m3.messageId(), m4.messageId(), m5.messageId());
        });
        await().atMost(DELIVERY).untilAsserted(() -> {
            carols.syncAll();
            assertThat(carols.messageIds())
                    .containsExactly(m2.messageId(), m3.messageId(), m4.messageId(), m5.messageId());
        });
        String lastMarker = api.sendOk(postman, "u:" + bob.userId(), "last marker");
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).contains(lastMarker);
        });
        assertThat(bobs.messageIds()).containsExactly(m1.messageId(), m2.messageId(), marker, lastMarker);
    }

    @Test
    void aRecordThatCanNeverBeAppliedInTheMiddleOfABatchIsDeadLetteredAloneAndTheOthersAreDeliveredOnce()
            throws Exception {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session outsider = api.newUser("outsider");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        String conversation = "g:" + groupId;
        ConversationRecord.MessagePosted before = message(owner, conversation, "before");
        ConversationRecord.MessagePosted stored = message(bob, conversation, "stored before the poison");
        ConversationRecord.MessagePosted poison = message(outsider, conversation, "sneaked in");
        ConversationRecord.MessagePosted after = message(owner, conversation, "after");

        publishTogether(conversation, before, stored, before, poison, after, stored);

        Api.Device bobs = api.deviceOf(bob);
        Api.Device owners = api.deviceOf(owner);
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).containsExactly(before.messageId(), stored.messageId(), after.messageId());
        });
        await().atMost(DELIVERY).untilAsserted(() -> {
            owners.syncAll();
            assertThat(owners.messageIds()).containsExactly(before.messageId(), stored.messageId(), after.messageId());
        });

        Properties config = new Properties();
        config.put(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                CourierInfrastructure.shared().kafkaBootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> dlt =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            dlt.subscribe(List.of("courier.conversations.dlt"));
            List<ConsumerRecord<String, String>> mine = new ArrayList<>();
            await().atMost(DELIVERY).untilAsserted(() -> {
                dlt.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (conversation.equals(record.key())) {
                        mine.add(record);
                    }
                });
                assertThat(mine).isNotEmpty();
            });
            // nothing else of the conversation arrives behind it
            dlt.poll(Duration.ofSeconds(1)).forEach(record -> {
                if (conversation.equals(record.key())) {
                    mine.add(record);
                }
            });
            assertThat(mine).extracting(ConsumerRecord::value).containsExactly(Records.encode(poison));
            var reason = mine.getFirst().headers().lastHeader("courier.dlt.reason");
            assertThat(reason).isNotNull();
            assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isEqualTo("not_member");
        }
    }

    private static ConversationRecord.MessagePosted message(Api.Session from, String conversation, String text) {
        String clientMsgId = Api.uniqueId("c");
        return new ConversationRecord.MessagePosted(
                MessageId.forSend(from.userId(), clientMsgId),
                clientMsgId,
                conversation,
                from.userId(),
                "text",
                StringNode.valueOf(text),
                Instant.now(),
                null);
    }

    private static ConversationRecord.MembersAdded added(String groupId, Api.Session user, Api.Session by) {
        return new ConversationRecord.MembersAdded(
                UUID.randomUUID().toString(), groupId, List.of(user.userId()), by.userId(), Instant.now());
    }

    private static ConversationRecord.MemberRemoved removed(String groupId, Api.Session user, Api.Session by) {
        return new ConversationRecord.MemberRemoved(
                UUID.randomUUID().toString(), groupId, user.userId(), by.userId(), Instant.now());
    }

    /**
     * Publishes the records to the conversation's partition in one producer batch, which Kafka appends to the log
     * at once: the expansion stage receives them in one batch.
     */
    private static void publishTogether(String conversation, ConversationRecord... records) {
        Properties config = new Properties();
        config.put(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                CourierInfrastructure.shared().kafkaBootstrap());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 60_000);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ConversationRecord record : records) {
                sent.add(producer.send(
                        new ProducerRecord<>("courier.conversations", conversation, Records.encode(record))));
            }
            producer.flush();
            long first = sent.getFirst().get().offset();
            for (int i = 0; i < sent.size(); i++) {
                assertThat(sent.get(i).get().offset()).isEqualTo(first + i);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
