package dev.courier.fanout.inbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.common.ConversationRecord;
import dev.courier.common.InboxRecord;
import dev.courier.common.Json;
import dev.courier.common.MessageId;
import dev.courier.fanout.TestServers;
import dev.courier.store.ConversationRepository;
import dev.courier.store.MessageRepository;

import static dev.courier.fanout.TestRecords.direct;
import static dev.courier.fanout.TestRecords.group;
import static dev.courier.fanout.TestRecords.message;
import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox writer's conversation states ({@link InboxBatch}) on the real database: what each record does to the
 * user's state of its conversation, with messages stored as the expansion stage stores them, each batch in one
 * transaction as the {@link InboxListener} runs it.
 */
class InboxBatchIntegrationTests {

    private final JdbcClient jdbc = TestServers.jdbc();

    private final ConversationRepository conversations = new ConversationRepository(jdbc);

    private final MessageRepository messages = new MessageRepository(jdbc);

    private final String alice = person("alice");

    private final String bob = person("bob");

    /** Stores a message as the expansion stage does, with the next number of its conversation. */
    private InboxRecord.Entry store(String from, String conversation, long convSeq, long membersVersion) {
        ConversationRecord.MessagePosted posted = message(from, conversation, "m" + convSeq);
        TestServers.transactions().executeWithoutResult(status -> {
            messages.store(List.of(new MessageRepository.NewMessage(posted, membersVersion, convSeq)), 0);
            messages.advanceConvSeqs(Map.of(conversation, convSeq));
        });
        // for no one yet: to(user, entry) addresses it
        return new InboxRecord.Entry("", posted.messageId(), conversation, convSeq, from, "text");
    }

    /**
     * Stores the entry of a change of {@code target} as the expansion stage does ({@code convSeq} null: a delete,
     * one user's alone).
     */
    private InboxRecord.Entry storeChange(
            String kind, String from, InboxRecord.Entry target, @Nullable Long convSeq, long membersVersion) {
        String entryId = MessageId.forChange(kind, target.messageId(), from);
        ConversationRecord.MessagePosted entry = new ConversationRecord.MessagePosted(
                entryId,
                kind + ":" + entryId,
                target.conversation(),
                from,
                kind,
                Json.MAPPER.createObjectNode().put("target", target.messageId()),
                Instant.now(),
                null);
        TestServers.transactions().executeWithoutResult(status -> {
            messages.store(List.of(new MessageRepository.NewMessage(entry, membersVersion, convSeq)), 0);
            if (convSeq != null) {
                messages.advanceConvSeqs(Map.of(target.conversation(), convSeq));
            }
        });
        return new InboxRecord.Entry("", entryId, target.conversation(), convSeq == null ? 0 : convSeq, from, kind);
    }

    private long unreadTotal(String userId) {
        return jdbc.sql("SELECT unread_total FROM inbox_heads WHERE user_id = ?")
                .param(userId)
                .query(Long.class)
                .single();
    }

    private static InboxRecord.Entry to(String userId, InboxRecord.Entry entry) {
        return new InboxRecord.Entry(
                userId, entry.messageId(), entry.conversation(), entry.convSeq(), entry.from(), entry.kind());
    }

    private InboxBatch apply(InboxRecord... records) {
        InboxBatch batch = new InboxBatch(new InboxRepository(TestServers.jdbcTemplate()), conversations, messages);
        TestServers.transactions().executeWithoutResult(status -> {
            batch.apply(List.of(records));
            batch.write(Clock.systemUTC().millis());
        });
        return batch;
    }

    private ConversationRepository.State state(String userId, String conversation) {
        return conversations.state(userId, conversation).orElseThrow();
    }

    @Test
    void messagesOfOthersCountAsUnreadAndTheSendersOwnMarkReadAndAreThePeersReceipt() {
        String conversation = direct(alice, bob);
        InboxRecord.Entry one = store(alice, conversation, 1, 0);
        InboxRecord.Entry two = store(alice, conversation, 2, 0);

        apply(to(alice, one), to(bob, one), to(alice, two), to(bob, two));

        ConversationRepository.State bobs = state(bob, conversation);
        assertThat(bobs.unread()).isEqualTo(2);
        assertThat(bobs.readSeq()).isZero();
        assertThat(bobs.lastConvSeq()).isEqualTo(2);
        assertThat(bobs.lastMessageId()).isEqualTo(two.messageId());
        assertThat(bobs.peerReadSeq()).isEqualTo(2);
        ConversationRepository.State alices = state(alice, conversation);
        assertThat(alices.unread()).isZero();
        assertThat(alices.readSeq()).isEqualTo(2);
        assertThat(alices.peerReadSeq()).isZero();
        assertThat(bobs.version()).isPositive();

        InboxRecord.Entry answer = store(bob, conversation, 3, 0);
        apply(to(alice, answer), to(bob, answer));
        assertThat(state(bob, conversation).unread()).isZero();
        assertThat(state(bob, conversation).readSeq()).isEqualTo(3);
        assertThat(state(alice, conversation).unread()).isEqualTo(1);
        assertThat(state(alice, conversation).peerReadSeq()).isEqualTo(3);
    }

    @Test
    void aReadCountsTheUnreadAgainFromTheStoredMessagesAndNeverGoesBack() {
        String conversation = direct(alice, bob);
        for (long seq = 1; seq <= 4; seq++) {
            apply(to(bob, store(alice, conversation, seq, 0)));
        }
        assertThat(state(bob, conversation).unread()).isEqualTo(4);

        InboxBatch read = apply(new InboxRecord.Read(bob, conversation, 3));
        assertThat(state(bob, conversation).readSeq()).isEqualTo(3);
        assertThat(state(bob, conversation).unread()).isEqualTo(1);
        assertThat(read.statesOnly()).containsExactly(bob);
        long version = state(bob, conversation).version();

        apply(new InboxRecord.Read(bob, conversation, 2));
        assertThat(state(bob, conversation).readSeq()).isEqualTo(3);
        assertThat(state(bob, conversation).version())
                .as("a lower read changes nothing")
                .isEqualTo(version);
        // the inbox rows themselves are not what is counted: a trimmed inbox counts the same
        jdbc.sql("DELETE FROM inbox WHERE user_id = ?").param(bob).update();
        apply(new InboxRecord.Read(bob, conversation, 3));
        apply(new InboxRecord.Read(bob, conversation, 99));
        assertThat(state(bob, conversation).readSeq())
                .as("never beyond the last message")
                .isEqualTo(4);
        assertThat(state(bob, conversation).unread()).isZero();
    }

    @Test
    void aGroupReadCountsOnlyWhatTheMemberCouldSee() {
        String groupId = TestServers.group(alice, bob);
        String conversation = group(groupId);
        apply(to(bob, store(alice, conversation, 1, 1)));
        // bob leaves at version 2 and comes back at version 3: the message of version 2 was never his to count
        jdbc.sql("UPDATE group_members SET left_version = 2 WHERE group_id = ? AND user_id = ?")
                .params(groupId, bob)
                .update();
        jdbc.sql("INSERT INTO group_members (group_id, user_id, joined_version) VALUES (?, ?, 3)")
                .params(groupId, bob)
                .update();
        store(alice, conversation, 2, 2);
        apply(to(bob, store(alice, conversation, 3, 3)));
        assertThat(state(bob, conversation).unread()).isEqualTo(2);

        apply(new InboxRecord.Read(bob, conversation, 1));

        assertThat(state(bob, conversation).unread()).isEqualTo(1);
        assertThat(state(bob, conversation).lastConvSeq()).isEqualTo(3);
    }

    @Test
    void aBatchWithManyUsersOfOneGroupBesideDirectChatKeepsEveryStateExact() {
        // 20 members of one group in a batch: their states are read by the conversation, the direct chat's beside
        // them pair by pair; a batch of direct chat alone reads heads, tokens and states in one statement (above)
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            others.add(person("member" + i));
        }
        String conversation = group(TestServers.group(alice, others.toArray(String[]::new)));
        String chat = direct(alice, bob);
        for (long round = 1; round <= 2; round++) {
            InboxRecord.Entry posted = store(alice, conversation, round, 1);
            InboxRecord.Entry direct = store(alice, chat, round, 0);
            List<InboxRecord> records = new ArrayList<>();
            records.add(to(alice, posted));
            others.forEach(member -> records.add(to(member, posted)));
            records.add(to(alice, direct));
            records.add(to(bob, direct));
            apply(records.toArray(InboxRecord[]::new));
        }

        for (String member : others) {
            assertThat(state(member, conversation).unread()).isEqualTo(2);
            assertThat(state(member, conversation).lastConvSeq()).isEqualTo(2);
            assertThat(unreadTotal(member)).isEqualTo(2);
        }
        assertThat(state(alice, conversation).readSeq()).isEqualTo(2);
        assertThat(state(bob, chat).unread()).isEqualTo(2);
        assertThat(state(bob, chat).peerReadSeq()).isEqualTo(2);
        assertThat(unreadTotal(bob)).isEqualTo(2);
        assertThat(unreadTotal(alice)).isZero();
    }

    @Test
    void aRedeliveredEntryChangesNoStateAndTheUnreadTotalIsTheSumOfTheStates() {
        String conversation = direct(alice, bob);
        InboxRecord.Entry one = store(alice, conversation, 1, 0);
        String carol = person("carol");
        InboxRecord.Entry elsewhere = store(carol, direct(bob, carol), 1, 0);
        apply(to(bob, one), to(bob, elsewhere));
        ConversationRepository.State before = state(bob, conversation);

        InboxBatch again = apply(to(bob, one), to(bob, elsewhere));

        assertThat(again.rows()).isEmpty();
        assertThat(again.duplicates()).isEqualTo(2);
        assertThat(state(bob, conversation)).isEqualTo(before);
        assertThat(jdbc.sql("SELECT unread_total FROM inbox_heads WHERE user_id = ?")
                        .param(bob)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    @Test
    void entriesTheExpansionStagePublishesAgainAfterLaterOnesAreSkippedAndAnUnseenLowerNumberIsStillWritten() {
        String conversation = direct(alice, bob);
        InboxRecord.Entry one = store(alice, conversation, 1, 0);
        InboxRecord.Entry two = store(alice, conversation, 2, 0);
        InboxRecord.Entry three = store(alice, conversation, 3, 0);
        InboxRecord.Entry four = store(alice, conversation, 4, 0);
        apply(to(bob, one), to(bob, three));

        // the expansion stage crashed before its offset commit and publishes 1 and 3 again, behind 4; 2 never
        // reached bob before (numbered below his lastConvSeq, it is looked up and found missing)
        InboxBatch again = apply(to(bob, four), to(bob, one), to(bob, two), to(bob, three));

        assertThat(again.rows())
                .extracting(InboxCommitListener.Row::messageId)
                .containsExactly(four.messageId(), two.messageId());
        assertThat(again.duplicates()).isEqualTo(2);
        ConversationRepository.State state = state(bob, conversation);
        assertThat(state.lastConvSeq()).isEqualTo(4);
        assertThat(state.lastMessageId()).as("the newest").isEqualTo(four.messageId());
        assertThat(state.unread()).isEqualTo(4);
        assertThat(unreadTotal(bob)).isEqualTo(4);

        // a state written from an older read (two writers racing) does not take lastConvSeq back
        TestServers.transactions()
                .executeWithoutResult(status -> conversations.save(List.of(new ConversationRepository.State(
                        bob, conversation, 3, three.messageId(), 1, 0, 3, 0, false, 1, null))));
        assertThat(state(bob, conversation).lastConvSeq()).isEqualTo(4);
    }

    @Test
    void aMuteAndAPeerReadChangeOnlyTheirOwnFieldAndNeverGoBack() {
        String conversation = direct(alice, bob);
        InboxRecord.Entry hello = store(alice, conversation, 1, 0);
        apply(to(bob, hello), to(alice, hello));

        apply(new InboxRecord.Muted(bob, conversation, true), new InboxRecord.PeerRead(alice, conversation, 1));
        assertThat(state(bob, conversation).muted()).isTrue();
        assertThat(state(bob, conversation).unread()).isEqualTo(1);
        assertThat(state(alice, conversation).peerReadSeq()).isEqualTo(1);

        apply(new InboxRecord.PeerRead(alice, conversation, 0), new InboxRecord.Muted(bob, conversation, false));
        assertThat(state(alice, conversation).peerReadSeq()).isEqualTo(1);
        assertThat(state(bob, conversation).muted()).isFalse();
    }

    @Test
    void aRecallEntryCountsTheUnreadAgainSoTheRecalledMessageNoLongerCounts() {
        String conversation = direct(alice, bob);
        InboxRecord.Entry oops = store(alice, conversation, 1, 0);
        InboxRecord.Entry fine = store(alice, conversation, 2, 0);
        apply(to(alice, oops), to(bob, oops), to(alice, fine), to(bob, fine));
        assertThat(state(bob, conversation).unread()).isEqualTo(2);

        messages.recall(oops.messageId(), System.currentTimeMillis());
        InboxRecord.Entry recall = storeChange("recall", alice, oops, 3L, 0);
        apply(to(alice, recall), to(bob, recall));

        ConversationRepository.State bobs = state(bob, conversation);
        assertThat(bobs.unread()).isEqualTo(1);
        assertThat(bobs.lastConvSeq()).isEqualTo(3);
        assertThat(bobs.lastMessageId())
                .as("a lifecycle entry is never the last message")
                .isEqualTo(fine.messageId());
        assertThat(bobs.readSeq()).isZero();
        assertThat(unreadTotal(bob)).isEqualTo(1);
        assertThat(state(alice, conversation).unread()).isZero();

        // a read counts the same way: the recalled message stays out
        apply(new InboxRecord.Read(bob, conversation, 1));
        assertThat(state(bob, conversation).unread()).isEqualTo(1);
        apply(new InboxRecord.Read(bob, conversation, 3));
        assertThat(state(bob, conversation).unread()).isZero();
        assertThat(unreadTotal(bob)).isZero();
    }

    @Test
    void aRecallEntryInAGroupCountsOnlyWhatTheMemberCouldSee() {
        String carol = person("carol");
        String groupId = TestServers.group(alice, bob, carol);
        String conversation = group(groupId);
        InboxRecord.Entry one = store(alice, conversation, 1, 1);
        InboxRecord.Entry two = store(carol, conversation, 2, 1);
        apply(to(bob, one), to(bob, two));

        messages.recall(two.messageId(), System.currentTimeMillis());
        apply(to(bob, storeChange("recall", carol, two, 3L, 1)));

        assertThat(state(bob, conversation).unread()).isEqualTo(1);
        assertThat(state(bob, conversation).lastMessageId()).isEqualTo(two.messageId());
    }

    @Test
    void aDeleteEntryCountsTheUnreadAgainForTheActorOnlyAndDoesNotMoveTheConversationInTheChatList() {
        String carol = person("carol");
        String conversation = direct(alice, bob);
        InboxRecord.Entry first = store(alice, conversation, 1, 0);
        InboxRecord.Entry second = store(alice, conversation, 2, 0);
        apply(to(alice, first), to(bob, first), to(alice, second), to(bob, second));
        InboxRecord.Entry newer = store(carol, direct(bob, carol), 1, 0);
        apply(to(bob, newer));
        ConversationRepository.State before = state(bob, conversation);
        ConversationRepository.State alicesBefore = state(alice, conversation);
        assertThat(before.unread()).isEqualTo(2);

        messages.hide(bob, first.messageId());
        InboxRecord.Entry delete = storeChange("delete", bob, first, null, 0);
        InboxBatch batch = apply(to(bob, delete));

        assertThat(batch.rows())
                .singleElement()
                .satisfies(row -> assertThat(row.messageId()).isEqualTo(delete.messageId()));
        ConversationRepository.State bobs = state(bob, conversation);
        assertThat(bobs.unread()).isEqualTo(1);
        assertThat(bobs.lastSeq())
                .as("a delete for oneself is no activity of the conversation")
                .isEqualTo(before.lastSeq());
        assertThat(bobs.lastConvSeq()).isEqualTo(2);
        assertThat(bobs.lastMessageId()).isEqualTo(second.messageId());
        assertThat(bobs.version()).isGreaterThan(before.version());
        assertThat(conversations.newest(bob, Long.MAX_VALUE, 10))
                .extracting(ConversationRepository.State::conversation)
                .containsExactly(direct(bob, carol), conversation);
        assertThat(unreadTotal(bob)).isEqualTo(2);
        assertThat(state(alice, conversation)).as("the sender sees no change").isEqualTo(alicesBefore);
    }

    @Test
    void anEntryWithoutItsNumberSenderOrKindIsCompletedFromTheStoredMessage() {
        String conversation = direct(alice, bob);
        InboxRecord.Entry stored = store(alice, conversation, 1, 0);

        apply(new InboxRecord.Entry(bob, stored.messageId(), conversation, 0, null, null));

        assertThat(state(bob, conversation).lastConvSeq()).isEqualTo(1);
        assertThat(state(bob, conversation).unread()).isEqualTo(1);
        assertThat(state(bob, conversation).peerReadSeq()).isEqualTo(1);
    }

    @Test
    void aSystemMessageIsNeverUnreadButIsTheLastMessageAndAGroupChangeMovesTheGroupsDataType() {
        String groupId = TestServers.group(alice, bob);
        String conversation = group(groupId);
        InboxRecord.Entry text = store(alice, conversation, 1, 1);
        InboxRecord.Entry renamed = storeChange("system", alice, text, 2L, 1);
        InboxRecord.Entry removed = storeChange("system", alice, renamed, 3L, 1);

        InboxBatch batch = apply(
                to(bob, text),
                to(bob, renamed),
                new InboxRecord.GroupChanged(bob, conversation, false, false),
                to(bob, removed),
                new InboxRecord.GroupChanged(bob, conversation, true, false));

        ConversationRepository.State state = state(bob, conversation);
        assertThat(state.unread()).as("only the text").isEqualTo(1);
        assertThat(state.lastMessageId()).isEqualTo(removed.messageId());
        assertThat(unreadTotal(bob)).isEqualTo(1);
        assertThat(batch.groupsChanged()).containsExactly(bob);
        assertThat(jdbc.sql("SELECT groups_version FROM inbox_heads WHERE user_id = ?")
                        .param(bob)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
        assertThat(jdbc.sql("SELECT version, has_left, dissolved FROM user_groups WHERE user_id = ? AND group_id = ?")
                        .params(bob, groupId)
                        .query((rs, row) -> rs.getLong(1) + " " + rs.getBoolean(2) + " " + rs.getBoolean(3))
                        .single())
                .as("one row per group, at its last change")
                .isEqualTo("2 true false");

        InboxBatch dissolved = apply(new InboxRecord.GroupChanged(bob, conversation, false, true));
        assertThat(dissolved.groupsChanged()).containsExactly(bob);
        assertThat(jdbc.sql("SELECT version, has_left, dissolved FROM user_groups WHERE user_id = ? AND group_id = ?")
                        .params(bob, groupId)
                        .query((rs, row) -> rs.getLong(1) + " " + rs.getBoolean(2) + " " + rs.getBoolean(3))
                        .single())
                .isEqualTo("3 false true");
    }
}
