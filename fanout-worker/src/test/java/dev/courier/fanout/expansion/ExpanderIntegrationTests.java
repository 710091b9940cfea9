package dev.courier.fanout.expansion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.InboxRecord;
import dev.courier.common.Records;
import dev.courier.fanout.TestRecords;
import dev.courier.fanout.TestServers;
import dev.courier.store.AccountRepository;
import dev.courier.store.MembershipRepository;

import static dev.courier.fanout.TestRecords.added;
import static dev.courier.fanout.TestRecords.direct;
import static dev.courier.fanout.TestRecords.group;
import static dev.courier.fanout.TestRecords.message;
import static dev.courier.fanout.TestRecords.removed;
import static dev.courier.fanout.TestServers.bridgeIdentity;
import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The expansion stage's {@link Expander} with the store's repositories on the real database: batches of conversation
 * records built by hand, each applied in one transaction as the {@link ConversationListener} does, so what a batch
 * holds is exactly what the test says (no reliance on how Kafka batches records).
 */
class ExpanderIntegrationTests {

    private final JdbcClient jdbc = TestServers.jdbc();

    private final TransactionTemplate transactions = TestServers.transactions();

    private final Expander expander = TestExpanders.expander(jdbc);

    private final String owner = person("owner");

    private final String bob = person("bob");

    private final String carol = person("carol");

    @Test
    void aDirectMessageExpandsToBothUsersTheSenderIncluded() {
        ConversationRecord.MessagePosted hello = message(owner, direct(owner, bob), "hello");

        Expander.Batch batch = apply(hello);

        assertThat(batch.rejection()).isNull();
        assertThat(batch.expansions()).singleElement().satisfies(expansion -> {
            assertThat(expansion.message()).isEqualTo(hello);
            assertThat(expansion.recipients()).containsExactlyInAnyOrder(owner, bob);
        });
        assertThat(batch.entryCount()).isEqualTo(2);
        assertThat(storedVersions(hello)).containsExactly(0L);
    }

    @Test
    void aGroupMessageExpandsToEveryMemberTheSenderIncluded() {
        String groupId = createdGroup(owner, bob, carol);
        ConversationRecord.MessagePosted hello = message(bob, group(groupId), "hello all");

        Expander.Batch batch = apply(hello);

        assertThat(recipients(batch, hello)).containsExactlyInAnyOrder(owner, bob, carol);
        assertThat(batch.entryCount()).isEqualTo(3);
        assertThat(storedVersions(hello)).containsExactly(1L);
    }

    @Test
    void aRedeliveredBatchProducesTheSameExpansionsAndStoresNothingTwice() {
        String groupId = createdGroup(owner, bob);
        String dave = person("dave");
        List<Object> records = List.of(
                message(owner, group(groupId), "one"),
                added(groupId, carol, owner),
                message(carol, group(groupId), "two"),
                removed(groupId, bob, owner),
                message(owner, direct(owner, dave), "three"));

        Expander.Batch first = apply(records.toArray());
        Expander.Batch again = apply(records.toArray());

        assertThat(again.rejection()).isNull();
        // the same entries to the same members with the same numbers (what the inbox writer receives)
        assertThat(again.expansions())
                .extracting(Expander.Expansion::messageId, Expander.Expansion::recipients, Expander.Expansion::convSeq)
                .isEqualTo(first.expansions().stream()
                        .map(expansion -> tuple(expansion.messageId(), expansion.recipients(), expansion.convSeq()))
                        .toList());
        // the messages, and the system messages of carol joining (to all three) and of bob leaving (to all three)
        assertThat(again.entryCount()).isEqualTo(first.entryCount()).isEqualTo(2 + 3 + 3 + 3 + 2);
        for (Object record : records) {
            if (record instanceof ConversationRecord.MessagePosted message) {
                assertThat(storedVersions(message)).hasSize(1);
            }
        }
        assertThat(membersVersion(groupId)).isEqualTo(3);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM group_events WHERE group_id = ?")
                        .param(groupId)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM group_members WHERE group_id = ? AND user_id = ?")
                        .params(groupId, carol)
                        .query(Long.class)
                        .single())
                .isOne();
    }

    @Test
    void aSendRetriedWithinTheBatchIsStoredOnceAndReachesTheMembersOfItsFirstExpansion() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted hello = message(owner, group(groupId), "hello");

        Expander.Batch batch = apply(hello, added(groupId, carol, owner), hello);

        assertThat(userMessages(batch))
                .hasSize(2)
                .allSatisfy(expansion -> assertThat(expansion.recipients()).containsExactlyInAnyOrder(owner, bob));
        assertThat(storedVersions(hello)).containsExactly(1L);
    }

    @Test
    void membershipChangesApplyInLogOrderWithinOneBatch() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted beforeCarol = message(owner, group(groupId), "before carol joined");
        ConversationRecord.MessagePosted withCarol = message(owner, group(groupId), "carol is in, bob still in");
        ConversationRecord.MessagePosted withoutBob = message(owner, group(groupId), "bob is out");
        ConversationRecord.MessagePosted byCarol = message(carol, group(groupId), "carol writes");

        Expander.Batch batch = apply(
                beforeCarol,
                added(groupId, carol, owner),
                withCarol,
                removed(groupId, bob, owner),
                withoutBob,
                byCarol);

        assertThat(batch.rejection()).isNull();
        assertThat(recipients(batch, beforeCarol)).containsExactlyInAnyOrder(owner, bob);
        assertThat(recipients(batch, withCarol)).containsExactlyInAnyOrder(owner, bob, carol);
        assertThat(recipients(batch, withoutBob)).containsExactlyInAnyOrder(owner, carol);
        assertThat(recipients(batch, byCarol)).containsExactlyInAnyOrder(owner, carol);
        assertThat(storedVersions(beforeCarol, withCarol, withoutBob, byCarol)).containsExactly(1L, 2L, 3L, 3L);
    }

    @Test
    void aRedeliveredMembershipEventIsSkipped() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MembersAdded carolJoins = added(groupId, carol, owner);
        apply(carolJoins);
        ConversationRecord.MessagePosted afterCarolLeft = message(owner, group(groupId), "carol left");

        // carol leaves, then her join arrives again: applying it twice would make her a member again
        Expander.Batch batch = apply(removed(groupId, carol, owner), carolJoins, afterCarolLeft);

        assertThat(batch.rejection()).isNull();
        assertThat(recipients(batch, afterCarolLeft)).containsExactlyInAnyOrder(owner, bob);
        assertThat(membersVersion(groupId)).isEqualTo(3);
    }

    @Test
    void aMessageFromANonMemberStopsTheBatchThereAsNotMemberAndTheRecordsBeforeItStayApplied() {
        String outsider = person("outsider");
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted before = message(owner, group(groupId), "before");
        ConversationRecord.MessagePosted stored = message(bob, group(groupId), "stored before the poison");
        ConversationRecord.MessagePosted poison = message(outsider, group(groupId), "sneaked in");
        ConversationRecord.MessagePosted after = message(owner, group(groupId), "after");

        Expander.Batch batch = apply(before, stored, before, added(groupId, carol, owner), poison, after);

        assertThat(batch.rejectedIndex()).isEqualTo(4);
        assertThat(batch.rejection())
                .isNotNull()
                .extracting(Records.InvalidRecordException::reason)
                .isEqualTo(ErrorCode.NOT_MEMBER);
        assertThat(userMessages(batch))
                .extracting(Expander.Expansion::messageId)
                .containsExactly(before.messageId(), stored.messageId(), before.messageId());
        assertThat(storedVersions(before, stored)).containsExactly(1L, 1L);
        assertThat(storedVersions(poison, after)).isEmpty();
        assertThat(membersVersion(groupId))
                .as("the membership change before the poison is applied")
                .isEqualTo(2);

        // the consumer goes on after the dead-lettered record
        Expander.Batch rest = apply(after);
        assertThat(recipients(rest, after)).containsExactlyInAnyOrder(owner, bob, carol);
    }

    @Test
    void aDirectMessageFromSomeoneOutsideTheChatIsNotMember() {
        String outsider = person("outsider");
        ConversationRecord.MessagePosted before = message(owner, direct(owner, bob), "before");
        ConversationRecord.MessagePosted poison = message(outsider, direct(owner, bob), "not my chat");

        Expander.Batch batch = apply(before, poison);

        assertThat(batch.rejectedIndex()).isEqualTo(1);
        assertThat(batch.rejection())
                .extracting(Records.InvalidRecordException::reason)
                .isEqualTo(ErrorCode.NOT_MEMBER);
        assertThat(storedVersions(before)).containsExactly(0L);
        assertThat(storedVersions(poison)).isEmpty();
    }

    @Test
    void aMessageToAGroupThatDoesNotExistIsNotFound() {
        ConversationRecord.MessagePosted before = message(owner, direct(owner, bob), "before");
        ConversationRecord.MessagePosted poison = message(owner, group(TestServers.uniqueId("nope")), "to nowhere");

        Expander.Batch batch = apply(before, poison, message(owner, direct(owner, bob), "after"));

        assertThat(batch.rejectedIndex()).isEqualTo(1);
        assertThat(batch.rejection())
                .extracting(Records.InvalidRecordException::reason)
                .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(batch.expansions()).extracting(Expander.Expansion::messageId).containsExactly(before.messageId());
        assertThat(storedVersions(poison)).isEmpty();
    }

    @Test
    void aMembershipChangeOfAGroupThatDoesNotExistIsNotFoundAndTheChangeBeforeItStaysApplied() {
        String groupId = createdGroup(owner, bob);

        Expander.Batch batch = apply(
                added(groupId, carol, owner),
                removed(TestServers.uniqueId("nope"), bob, owner),
                removed(groupId, bob, owner));

        assertThat(batch.rejectedIndex()).isEqualTo(1);
        assertThat(batch.rejection())
                .extracting(Records.InvalidRecordException::reason)
                .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(membersVersion(groupId)).isEqualTo(2);
        assertThat(new MembershipRepository(jdbc).membersNow(groupId)).containsExactlyInAnyOrder(owner, bob, carol);
    }

    @Test
    void anUndecodableRecordStopsTheBatchThereAsInvalidRequestAndTheRecordsBeforeItStayApplied() {
        ConversationRecord.MessagePosted before = message(owner, direct(owner, bob), "before");
        ConversationRecord.MessagePosted after = message(owner, direct(owner, bob), "after");

        Expander.Batch batch = apply(before, "{\"type\":\"message\",\"v\":1}", after);

        assertThat(batch.rejectedIndex()).isEqualTo(1);
        assertThat(batch.rejection())
                .extracting(Records.InvalidRecordException::reason)
                .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(storedVersions(before)).containsExactly(0L);
        assertThat(storedVersions(after)).isEmpty();
    }

    @Test
    void membersCachedByEarlierBatchesAreNotServedForALaterVersion() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted first = message(owner, group(groupId), "first");
        ConversationRecord.MessagePosted second = message(owner, group(groupId), "second");
        ConversationRecord.MessagePosted third = message(owner, group(groupId), "third");

        assertThat(recipients(apply(first), first)).containsExactlyInAnyOrder(owner, bob);
        apply(added(groupId, carol, owner));
        assertThat(recipients(apply(second), second)).containsExactlyInAnyOrder(owner, bob, carol);
        apply(removed(groupId, bob, owner));
        assertThat(recipients(apply(third), third)).containsExactlyInAnyOrder(owner, carol);
        // a redelivery still reaches the members of the first expansion, from the cache or not
        assertThat(recipients(apply(first, second), first)).containsExactlyInAnyOrder(owner, bob);
    }

    @Test
    void membersReadInABatchThatRolledBackAreNotCached() {
        String groupId = createdGroup(owner, bob);
        String dave = person("dave");
        Expander.Batch rolledBack = expander.newBatch();
        transactions.executeWithoutResult(status -> {
            rolledBack.applyAll(TestRecords.values(
                    added(groupId, carol, owner), message(owner, group(groupId), "never committed")));
            status.setRollbackOnly();
        });
        ConversationRecord.MessagePosted hello = message(owner, group(groupId), "hello");

        // version 2 of the group is made again, by another change: its members are not those of the rolled back one
        Expander.Batch batch = apply(added(groupId, dave, owner), hello);

        assertThat(recipients(batch, hello)).containsExactlyInAnyOrder(owner, bob, dave);
        assertThat(storedVersions(hello)).containsExactly(2L);
    }

    @Test
    void bridgeIdentitiesAmongTheRecipientsAreReportedForTheBridgeOutbound() {
        String weibo = bridgeIdentity("weibo");
        String dottedPerson = "jane." + TestServers.uniqueId("doe");
        new AccountRepository(jdbc).createPerson(dottedPerson, "Jane", "unused", 0);
        String groupId = createdGroup(owner, bob, weibo, dottedPerson);
        ConversationRecord.MessagePosted toGroup = message(bob, group(groupId), "to the group");
        ConversationRecord.MessagePosted toWeibo = message(owner, direct(owner, weibo), "to weibo");
        ConversationRecord.MessagePosted toPerson = message(owner, direct(owner, dottedPerson), "to jane");

        Expander.Batch batch = apply(toGroup, toPerson, toWeibo);

        assertThat(batch.bridged())
                .extracting(ExpandedMessage::messageId, ExpandedMessage::bridgeRecipients)
                .containsExactly(
                        tuple(toGroup.messageId(), List.of(weibo)), tuple(toWeibo.messageId(), List.of(weibo)));
        assertThat(batch.bridged().getFirst())
                .isEqualTo(new ExpandedMessage(
                        toGroup.messageId(),
                        toGroup.conversation(),
                        bob,
                        "text",
                        toGroup.content(),
                        toGroup.sentAt(),
                        null,
                        List.of(weibo),
                        null,
                        2)); // the group's first entry is group.created
    }

    @Test
    void aDottedUserWithoutAnAccountIsLookedUpAgainOnceItIsABridgeIdentity() {
        String later = "weibo." + TestServers.uniqueId("ext");
        ConversationRecord.MessagePosted before = message(owner, direct(owner, later), "before the account");
        assertThat(apply(before).bridged()).isEmpty();

        new AccountRepository(jdbc).createBridgeIdentity(later, later, 0);
        ConversationRecord.MessagePosted after = message(owner, direct(owner, later), "after the account");

        assertThat(apply(after).bridged())
                .extracting(ExpandedMessage::bridgeRecipients)
                .containsExactly(List.of(later));
    }

    /** Applies the records as one batch in one transaction, as the listener does. */
    @Test
    void messagesAreNumberedPerConversationInLogOrderAndARedeliveryKeepsItsNumber() {
        String groupId = createdGroup(owner, bob);
        List<Object> records = List.of(
                message(owner, direct(owner, bob), "d1"),
                message(bob, group(groupId), "g1"),
                message(bob, direct(owner, bob), "d2"),
                message(owner, group(groupId), "g2"),
                message(owner, direct(owner, bob), "d3"));

        Expander.Batch first = apply(records.toArray());
        Expander.Batch again = apply(records.toArray());

        // the group's first entry is its group.created
        assertThat(first.expansions()).extracting(Expander.Expansion::convSeq).containsExactly(1L, 2L, 2L, 3L, 3L);
        assertThat(again.expansions()).extracting(Expander.Expansion::convSeq).containsExactly(1L, 2L, 2L, 3L, 3L);
        Expander.Batch next = apply(message(bob, direct(owner, bob), "d4"));
        assertThat(next.expansions()).extracting(Expander.Expansion::convSeq).containsExactly(4L);
        assertThat(jdbc.sql("SELECT last_conv_seq FROM conversation_seqs WHERE conversation_id = ?")
                        .param(direct(owner, bob))
                        .query(Long.class)
                        .single())
                .isEqualTo(4);
    }

    @Test
    void aReadGoesToTheReaderAndInADirectConversationToThePeerAsAReceipt() {
        String groupId = createdGroup(owner, bob);
        apply(message(owner, direct(owner, bob), "hello"), message(owner, group(groupId), "hello all"));

        Expander.Batch batch = apply(
                new ConversationRecord.ConversationRead(direct(owner, bob), bob, 1, java.time.Instant.now()),
                new ConversationRecord.ConversationRead(group(groupId), bob, 1, java.time.Instant.now()));

        assertThat(batch.rejection()).isNull();
        assertThat(batch.outputs())
                .containsExactly(
                        new Expander.StateChange(new InboxRecord.Read(bob, direct(owner, bob), 1)),
                        new Expander.StateChange(new InboxRecord.PeerRead(owner, direct(owner, bob), 1)),
                        new Expander.StateChange(new InboxRecord.Read(bob, group(groupId), 1)));
    }

    @Test
    void aReadOfSomeoneNotPartOfTheConversationOrBeyondItsLastMessageIsRefused() {
        String groupId = createdGroup(owner, bob);
        apply(message(owner, direct(owner, bob), "hello"), message(owner, group(groupId), "hello all"));

        Expander.Batch outsider =
                apply(new ConversationRecord.ConversationRead(group(groupId), carol, 1, java.time.Instant.now()));
        Expander.Batch beyond =
                apply(new ConversationRecord.ConversationRead(direct(owner, bob), bob, 2, java.time.Instant.now()));
        Expander.Batch stranger =
                apply(new ConversationRecord.ConversationRead(direct(owner, bob), carol, 1, java.time.Instant.now()));

        assertThat(outsider.rejection()).isNotNull();
        assertThat(outsider.rejection().reason()).isEqualTo(ErrorCode.NOT_MEMBER);
        assertThat(stranger.rejection()).isNotNull();
        assertThat(stranger.rejection().reason()).isEqualTo(ErrorCode.NOT_MEMBER);
        assertThat(beyond.rejection()).isNotNull();
        assertThat(beyond.rejection().reason()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(beyond.rejection().getMessage()).startsWith("convSeq:");
    }

    @Test
    void aRecordReusingAStoredMessagesIdForAnotherConversationOrSenderIsRefused() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted stored = message(owner, group(groupId), "for the group");
        apply(stored);
        ConversationRecord.MessagePosted elsewhere = new ConversationRecord.MessagePosted(
                stored.messageId(),
                stored.clientMsgId(),
                direct(carol, bob),
                carol,
                "text",
                stored.content(),
                stored.sentAt(),
                null);

        Expander.Batch batch = apply(elsewhere);

        assertThat(batch.rejection()).isNotNull();
        assertThat(batch.rejection().reason()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(batch.expansions()).isEmpty();
    }

    private Expander.Batch apply(Object... records) {
        Expander.Batch batch = expander.newBatch();
        transactions.executeWithoutResult(status -> batch.applyAll(TestRecords.values(records)));
        batch.committed();
        return batch;
    }

    /** A new group with these first members, its group.created entry made as the gateway's record makes it. */
    private String createdGroup(String owner, String... others) {
        String groupId = TestServers.group(owner, others);
        assertThat(apply(new ConversationRecord.GroupCreated(groupId, owner, Instant.now()))
                        .rejection())
                .isNull();
        return groupId;
    }

    /** The expansions of messages people sent (not of system messages). */
    private static List<Expander.Expansion> userMessages(Expander.Batch batch) {
        return batch.expansions().stream()
                .filter(expansion -> !expansion.message().kind().equals("system"))
                .toList();
    }

    /** The recipients of the message's first expansion in the batch. */
    private static List<String> recipients(Expander.Batch batch, ConversationRecord.MessagePosted message) {
        return batch.expansions().stream()
                .filter(expansion -> expansion.messageId().equals(message.messageId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(message.messageId() + " was not expanded"))
                .recipients();
    }

    /** The members version stored with each of these messages that is stored, in order. */
    private List<Long> storedVersions(ConversationRecord.MessagePosted... messages) {
        List<Long> versions = new ArrayList<>();
        for (ConversationRecord.MessagePosted message : messages) {
            versions.addAll(jdbc.sql("SELECT members_version FROM messages WHERE message_id = ?")
                    .param(message.messageId())
                    .query(Long.class)
                    .list());
        }
        return versions;
    }

    private long membersVersion(String groupId) {
        return jdbc.sql("SELECT members_version FROM chat_groups WHERE group_id = ?")
                .param(groupId)
                .query(Long.class)
                .single();
    }
}
