package dev.courier.fanout.expansion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.InboxRecord;
import dev.courier.common.Json;
import dev.courier.fanout.TestRecords;
import dev.courier.fanout.TestServers;
import dev.courier.store.ChangeOutcomeRepository;
import dev.courier.store.GroupRepository;
import dev.courier.store.MembershipRepository;

import static dev.courier.fanout.TestRecords.added;
import static dev.courier.fanout.TestRecords.admin;
import static dev.courier.fanout.TestRecords.block;
import static dev.courier.fanout.TestRecords.deleted;
import static dev.courier.fanout.TestRecords.direct;
import static dev.courier.fanout.TestRecords.dissolved;
import static dev.courier.fanout.TestRecords.group;
import static dev.courier.fanout.TestRecords.message;
import static dev.courier.fanout.TestRecords.muted;
import static dev.courier.fanout.TestRecords.owner;
import static dev.courier.fanout.TestRecords.recalled;
import static dev.courier.fanout.TestRecords.removed;
import static dev.courier.fanout.TestRecords.renamed;
import static dev.courier.fanout.TestRecords.unmuted;
import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Groups in the expansion stage (PROTOCOL.md, "Groups") on the real database: every change decided at its point in
 * the log by the rules as they stand there, entered as a system message with a convSeq for the members (the removed
 * one included), and its outcome recorded for the gateway; blocks in the direct conversation's log.
 */
class ExpanderGroupsIntegrationTests {

    private final JdbcClient jdbc = TestServers.jdbc();

    private final TransactionTemplate transactions = TestServers.transactions();

    private final Expander expander = TestExpanders.expander(jdbc);

    private final GroupRepository groups = new GroupRepository(jdbc);

    private final ChangeOutcomeRepository outcomes = new ChangeOutcomeRepository(jdbc);

    private final String olga = person("olga");

    private final String adam = person("adam");

    private final String mia = person("mia");

    @Test
    void theGroupsFirstEntryIsGroupCreatedWhicheverRecordComesFirstAndOnlyOnce() {
        String groupId = TestServers.group(olga, adam, mia);
        ConversationRecord.MessagePosted hello = message(adam, group(groupId), "hello");

        // the gateway's record was late: the message's batch makes the entry first
        Expander.Batch first = apply(hello);
        Expander.Batch late = apply(new ConversationRecord.GroupCreated(groupId, olga, Instant.now()));

        assertThat(first.expansions())
                .extracting(e -> e.message().kind(), e -> e.message().from(), Expander.Expansion::convSeq)
                .containsExactly(tuple("system", olga, 1L), tuple("text", adam, 2L));
        Expander.Expansion created = first.expansions().getFirst();
        assertThat(created.messageId()).isEqualTo(Expander.createdId(groupId));
        assertThat(created.message().content().toString())
                .isEqualTo("{\"event\":\"group.created\",\"name\":\"G\",\"members\":"
                        + json(List.of(adam, mia, olga).stream().sorted().toList()) + "}");
        assertThat(created.recipients()).containsExactlyInAnyOrder(olga, adam, mia);
        assertThat(late.rejection()).isNull();
        assertThat(late.expansions())
                .as("entered again, not a second entry")
                .extracting(Expander.Expansion::messageId, Expander.Expansion::convSeq)
                .containsExactly(tuple(created.messageId(), 1L));
        assertThat(systemMessages(groupId)).containsExactly("1 group.created");
    }

    @Test
    void everyChangeIsASystemMessageForTheMembersAndTheRemovedOneAndMovesTheirGroups() {
        String groupId = createdGroup(olga, adam);

        Expander.Batch batch = apply(
                added(groupId, mia, olga),
                admin(groupId, adam, true, olga),
                renamed(groupId, "Launch", adam),
                removed(groupId, mia, adam),
                muted(groupId, adam, null, olga));

        assertThat(batch.rejection()).isNull();
        assertThat(batch.expansions())
                .extracting(
                        e -> e.message().from(),
                        e -> e.message().content().path("event").asString(),
                        e -> e.recipients().size())
                .containsExactly(
                        tuple(olga, "members.added", 3),
                        tuple(olga, "admin.added", 3),
                        tuple(adam, "group.updated", 3),
                        tuple(adam, "member.removed", 3));
        assertThat(systemMessages(groupId))
                .containsExactly(
                        "1 group.created", "2 members.added", "3 admin.added", "4 group.updated", "5 member.removed");
        assertThat(batch.outputs())
                .filteredOn(Expander.StateChange.class::isInstance)
                .extracting(output -> ((Expander.StateChange) output).record())
                .filteredOn(record -> record.userId().equals(mia))
                .containsExactly(
                        new InboxRecord.GroupChanged(mia, group(groupId), false, false),
                        new InboxRecord.GroupChanged(mia, group(groupId), false, false),
                        new InboxRecord.GroupChanged(mia, group(groupId), false, false),
                        new InboxRecord.GroupChanged(mia, group(groupId), true, false));
        GroupRepository.Group now = groups.find(groupId).orElseThrow();
        assertThat(now.name()).isEqualTo("Launch");
        assertThat(now.admins()).containsExactly(adam);
        assertThat(now.mutes()).containsEntry(adam, GroupRepository.UNTIL_UNMUTED);
        assertThat(now.version())
                .as("created, added, admin, renamed, removed; not the mute")
                .isEqualTo(5);
        assertThat(new MembershipRepository(jdbc).membersNow(groupId)).containsExactlyInAnyOrder(olga, adam);
    }

    @Test
    void anAdminDemotedBeforeTheirRemovalInTheLogCannotPerformItAndTheRefusalIsRecorded() {
        String groupId = createdGroup(olga, adam, mia);
        apply(admin(groupId, adam, true, olga));
        ConversationRecord.AdminChanged demoted = admin(groupId, adam, false, olga);
        ConversationRecord.MemberRemoved removal = removed(groupId, mia, adam);

        // both passed the gateway while adam was an admin; the log orders the demotion first
        Expander.Batch batch = apply(demoted, removal);

        assertThat(batch.rejectedIndex()).isEqualTo(1);
        assertThat(batch.rejection().reason()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(outcome(demoted.eventId())).hasValue(new ChangeOutcomeRepository.Outcome(null, null));
        assertThat(outcome(removal.eventId())).hasValueSatisfying(outcome -> {
            assertThat(outcome.code()).isEqualTo("forbidden");
            assertThat(outcome.detail()).contains("only the owner or an admin");
        });
        assertThat(new MembershipRepository(jdbc).membersNow(groupId)).contains(mia);
    }

    @Test
    void aMemberMutedBeforeAMessageCannotSendItAndTheMessageBeforeTheMuteIsKept() {
        String groupId = createdGroup(olga, adam, mia);
        ConversationRecord.MessagePosted before = message(mia, group(groupId), "before the mute");
        ConversationRecord.MessagePosted after = message(mia, group(groupId), "after the mute");

        Expander.Batch batch = apply(before, muted(groupId, mia, Instant.now().plusSeconds(60), olga), after);

        assertThat(batch.rejectedIndex()).isEqualTo(2);
        assertThat(batch.rejection().reason()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(batch.rejection().getMessage()).contains(mia + " is muted");
        assertThat(stored(before.messageId())).isTrue();
        assertThat(stored(after.messageId())).isFalse();

        // unmuted: the member sends again
        Expander.Batch again = apply(unmuted(groupId, mia, olga), message(mia, group(groupId), "back"));
        assertThat(again.rejection()).isNull();
    }

    @Test
    void aMuteEndsAtItsUntilMeasuredAgainstTheMessagesSentAt() {
        String groupId = createdGroup(olga, mia);
        Instant until = Instant.now().plusSeconds(60);
        apply(muted(groupId, mia, until, olga));
        ConversationRecord.MessagePosted during = message(mia, group(groupId), "during");
        ConversationRecord.MessagePosted sentAfter = new ConversationRecord.MessagePosted(
                TestServers.uniqueId("m"),
                TestServers.uniqueId("c"),
                group(groupId),
                mia,
                "text",
                StringNode.valueOf("after"),
                until,
                null);

        assertThat(apply(during).rejection().reason()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(apply(sentAfter).rejection()).isNull();
    }

    @Test
    void inAMutedGroupOnlyTheOwnerAndAdminsSend() {
        String groupId = createdGroup(olga, adam, mia);
        apply(admin(groupId, adam, true, olga), TestRecords.updated(groupId, null, null, true, adam));

        assertThat(apply(message(mia, group(groupId), "may I?")).rejection().reason())
                .isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(apply(message(adam, group(groupId), "admins may"), message(olga, group(groupId), "so may I"))
                        .rejection())
                .isNull();
    }

    @Test
    void aBlockBeforeADirectMessageKeepsItOutAndAnUnblockLetsTheNextIn() {
        ConversationRecord.MessagePosted before = message(adam, direct(adam, mia), "before");
        ConversationRecord.BlockChanged blocked = block(mia, adam, true);
        ConversationRecord.MessagePosted refused = message(adam, direct(adam, mia), "after the block");

        Expander.Batch batch = apply(before, blocked, refused);

        assertThat(batch.rejectedIndex()).isEqualTo(2);
        assertThat(batch.rejection().reason()).isEqualTo(ErrorCode.BLOCKED);
        assertThat(stored(before.messageId())).isTrue();
        assertThat(stored(refused.messageId())).isFalse();
        assertThat(outcome(blocked.eventId())).hasValue(new ChangeOutcomeRepository.Outcome(null, null));
        assertThat(apply(message(mia, direct(adam, mia), "the blocker still writes"))
                        .rejection())
                .as("a block is one way")
                .isNull();
        String groupId = createdGroup(olga, adam, mia);
        assertThat(apply(message(adam, group(groupId), "groups are not affected"))
                        .rejection())
                .isNull();

        assertThat(apply(message(adam, direct(adam, mia), "a later batch reads the block"))
                        .rejection()
                        .reason())
                .isEqualTo(ErrorCode.BLOCKED);

        Expander.Batch unblocked = apply(block(mia, adam, false), message(adam, direct(adam, mia), "let in"));
        assertThat(unblocked.rejection()).isNull();
    }

    @Test
    void aBatchTooLargeForOneReadStatementReadsItsBlocksAndNumbersAllTheSame() {
        // more messages than one statement's list: the reads take two statements, the block in the second
        apply(block(mia, adam, true));
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            records.add(message(olga, direct(olga, person("friend")), "hello " + i));
        }
        records.add(message(adam, direct(adam, mia), "blocked in a large batch"));

        Expander.Batch batch = apply(records.toArray());

        assertThat(batch.rejectedIndex()).isEqualTo(501);
        assertThat(batch.rejection().reason()).isEqualTo(ErrorCode.BLOCKED);
        assertThat(batch.expansions())
                .extracting(Expander.Expansion::convSeq)
                .as("501 new conversations (a new friend each), each message the first of its conversation")
                .hasSize(501)
                .containsOnly(1L);
    }

    @Test
    void aDissolvedGroupTakesNoMessageOrChangeButADeleteForOneself() {
        String groupId = createdGroup(olga, adam, mia);
        ConversationRecord.MessagePosted kept = message(adam, group(groupId), "kept in history");
        apply(kept);

        Expander.Batch dissolving = apply(dissolved(groupId, olga));
        assertThat(dissolving.expansions()).singleElement().satisfies(entry -> {
            assertThat(entry.message().content().toString()).isEqualTo("{\"event\":\"group.dissolved\"}");
            assertThat(entry.recipients()).containsExactlyInAnyOrder(olga, adam, mia);
        });
        assertThat(dissolving.outputs())
                .filteredOn(Expander.StateChange.class::isInstance)
                .extracting(output -> ((InboxRecord.GroupChanged) ((Expander.StateChange) output).record()).dissolved())
                .containsOnly(true);

        assertThat(apply(message(olga, group(groupId), "anyone?")).rejection().reason())
                .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(apply(recalled(kept, adam)).rejection().reason()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(apply(renamed(groupId, "Again", olga)).rejection().reason()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(apply(deleted(kept, mia)).rejection()).isNull();
    }

    @Test
    void afterATransferTheOldOwnerIsAnAdminAndOnlyTheNewOwnerDissolves() {
        String groupId = createdGroup(olga, adam, mia);

        Expander.Batch batch = apply(owner(groupId, adam, olga), dissolved(groupId, olga));

        assertThat(batch.rejectedIndex()).isEqualTo(1);
        assertThat(batch.rejection().reason()).isEqualTo(ErrorCode.FORBIDDEN);
        GroupRepository.Group now = groups.find(groupId).orElseThrow();
        assertThat(now.ownerId()).isEqualTo(adam);
        assertThat(now.admins()).containsExactly(olga);
        assertThat(apply(dissolved(groupId, adam)).rejection()).isNull();
    }

    @Test
    void aRedeliveredChangeIsEnteredAgainAndAppliedOnce() {
        String groupId = createdGroup(olga, adam);
        List<Object> changes =
                List.of(added(groupId, mia, olga), renamed(groupId, "Once", olga), removed(groupId, adam, olga));

        Expander.Batch first = apply(changes.toArray());
        Expander.Batch again = apply(changes.toArray());

        assertThat(again.rejection()).isNull();
        assertThat(again.expansions())
                .extracting(Expander.Expansion::messageId, Expander.Expansion::recipients, Expander.Expansion::convSeq)
                .isEqualTo(first.expansions().stream()
                        .map(e -> tuple(e.messageId(), e.recipients(), e.convSeq()))
                        .toList());
        assertThat(systemMessages(groupId)).hasSize(4);
        assertThat(groups.find(groupId).orElseThrow().version()).isEqualTo(4);
    }

    @Test
    void aBridgeIdentityJoiningIsAMembersAddedFromTheIdentity() {
        String identity = TestServers.bridgeIdentity("weibo");
        String groupId = createdGroup(olga, adam);

        Expander.Batch batch = apply(new ConversationRecord.MembersAdded(
                TestServers.uniqueId("e"), groupId, List.of(identity), "bridge:weibo", Instant.now()));

        assertThat(batch.rejection()).isNull();
        assertThat(batch.expansions()).singleElement().satisfies(entry -> {
            assertThat(entry.message().from()).isEqualTo(identity);
            assertThat(entry.recipients()).contains(identity);
        });
        assertThat(batch.bridged()).as("bridges are not sent system messages").isEmpty();
    }

    /** A new group with these first members, its group.created entry made as the gateway's record makes it. */
    private String createdGroup(String owner, String... others) {
        String groupId = TestServers.group(owner, others);
        assertThat(apply(new ConversationRecord.GroupCreated(groupId, owner, Instant.now()))
                        .rejection())
                .isNull();
        return groupId;
    }

    private Expander.Batch apply(Object... records) {
        Expander.Batch batch = expander.newBatch();
        transactions.executeWithoutResult(status -> batch.applyAll(TestRecords.values(records)));
        batch.committed();
        return batch;
    }

    private Optional<ChangeOutcomeRepository.Outcome> outcome(String eventId) {
        return outcomes.find(eventId);
    }

    private boolean stored(String messageId) {
        return jdbc.sql("SELECT COUNT(*) FROM messages WHERE message_id = ?")
                        .param(messageId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** The group's system messages as "convSeq event", in log order. */
    private List<String> systemMessages(String groupId) {
        return jdbc.sql("SELECT conv_seq, content FROM messages WHERE conversation_id = ? AND kind = 'system'"
                        + " ORDER BY conv_seq")
                .param(group(groupId))
                .query((rs, row) -> rs.getLong(1) + " "
                        + Json.MAPPER.readTree(rs.getString(2)).path("event").asString())
                .list();
    }

    private static String json(List<String> values) {
        return Json.MAPPER.valueToTree(values).toString();
    }
}
