package dev.courier.fanout.expansion;

import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.Json;
import dev.courier.common.MessageId;
import dev.courier.common.Records;
import dev.courier.fanout.TestRecords;
import dev.courier.fanout.TestServers;
import dev.courier.store.MessageRepository;

import static dev.courier.fanout.TestRecords.added;
import static dev.courier.fanout.TestRecords.deleted;
import static dev.courier.fanout.TestRecords.direct;
import static dev.courier.fanout.TestRecords.edited;
import static dev.courier.fanout.TestRecords.group;
import static dev.courier.fanout.TestRecords.message;
import static dev.courier.fanout.TestRecords.reaction;
import static dev.courier.fanout.TestRecords.recalled;
import static dev.courier.fanout.TestRecords.removed;
import static dev.courier.fanout.TestRecords.reply;
import static dev.courier.fanout.TestServers.bridgeIdentity;
import static dev.courier.fanout.TestServers.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The message lifecycle in the expansion stage (PROTOCOL.md, "Message lifecycle"): recalls, edits, deletes for one
 * user, reactions and replies applied by {@link Expander} on the real database, in batches built by hand and each
 * applied in one transaction as the {@link ConversationListener} does. Each change is checked again at its point in
 * the log, applied to its target, and entered as an entry of its own for everyone who saw the target.
 */
class ExpanderLifecycleIntegrationTests {

    private final JdbcClient jdbc = TestServers.jdbc();

    private final TransactionTemplate transactions = TestServers.transactions();

    private final Expander expander = TestExpanders.expander(jdbc);

    private final String owner = person("owner");

    private final String bob = person("bob");

    private final String carol = person("carol");

    @Test
    void aRecallMakesAnEntryOfItsOwnWithTheNextConvSeqForBothUsersOfADirectChat() {
        ConversationRecord.MessagePosted oops = message(owner, direct(owner, bob), "oops");
        apply(oops);
        ConversationRecord.MessageRecalled recall = recalled(oops, owner);

        Expander.Batch batch = apply(recall);

        assertThat(batch.rejection()).isNull();
        assertThat(batch.expansions()).singleElement().satisfies(entry -> {
            assertThat(entry.messageId()).isEqualTo(MessageId.forChange("recall", oops.messageId()));
            assertThat(entry.message().kind()).isEqualTo("recall");
            assertThat(entry.message().from()).isEqualTo(owner);
            assertThat(entry.message().content()).isEqualTo(target(oops));
            assertThat(entry.convSeq()).isEqualTo(2);
            assertThat(entry.recipients()).containsExactlyInAnyOrder(owner, bob);
        });
        assertThat(batch.entryCount()).isEqualTo(2);
        assertThat(recalledAt(oops)).isEqualTo(recall.at().toEpochMilli());
        assertThat(lastConvSeq(oops.conversation())).isEqualTo(2);
    }

    @Test
    void anEditReplacesTheTextAndMakesAnEntryWithTheNewText() {
        ConversationRecord.MessagePosted typo = message(owner, direct(owner, bob), "see you at 8");
        apply(typo);
        ConversationRecord.MessageEdited edit = edited(typo, owner, "see you at 9");

        Expander.Batch batch = apply(edit);

        assertThat(batch.rejection()).isNull();
        assertThat(batch.expansions()).singleElement().satisfies(entry -> {
            assertThat(entry.messageId()).isEqualTo(MessageId.forChange("edit", edit.eventId()));
            assertThat(entry.message().kind()).isEqualTo("edit");
            assertThat(entry.message().content()).isEqualTo(target(typo).put("text", "see you at 9"));
            assertThat(entry.convSeq()).isEqualTo(2);
            assertThat(entry.recipients()).containsExactlyInAnyOrder(owner, bob);
        });
        assertThat(content(typo)).isEqualTo("\"see you at 9\"");
        assertThat(editedAt(typo)).isEqualTo(edit.at().toEpochMilli());
    }

    @Test
    void aRecallOrAnEditBySomeoneOtherThanTheSenderIsForbiddenAtItsPointInTheLog() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted news = message(owner, group(groupId), "news");
        apply(news);

        Expander.Batch recall = apply(recalled(news, bob));
        Expander.Batch edit = apply(edited(news, bob, "hijacked"));

        assertRejected(recall, 0, ErrorCode.FORBIDDEN);
        assertRejected(edit, 0, ErrorCode.FORBIDDEN);
        assertThat(recall.expansions()).isEmpty();
        assertThat(edit.expansions()).isEmpty();
        assertThat(recalledAt(news)).isNull();
        assertThat(content(news)).isEqualTo("\"news\"");
        assertThat(lastConvSeq(news.conversation())).isEqualTo(2);
    }

    @Test
    void aRecallBySomeoneElseIsForbiddenAlsoAfterTheSendersOwnRecall() {
        ConversationRecord.MessagePosted oops = message(owner, direct(owner, bob), "oops");
        apply(oops, recalled(oops, owner));

        Expander.Batch batch = apply(recalled(oops, bob));

        assertRejected(batch, 0, ErrorCode.FORBIDDEN);
        assertThat(batch.expansions()).isEmpty();
    }

    @Test
    void anEditOfARecalledMessageOrOfOneThatIsNotTextIsAConflict() {
        ConversationRecord.MessagePosted oops = message(owner, direct(owner, bob), "oops");
        ConversationRecord.MessagePosted picture = new ConversationRecord.MessagePosted(
                MessageId.forSend(owner, "pic-" + oops.clientMsgId()),
                "pic-" + oops.clientMsgId(),
                direct(owner, bob),
                owner,
                "image",
                Json.MAPPER
                        .createObjectNode()
                        .put("url", "https://cdn.example/cat.png")
                        .put("mime", "image/png")
                        .put("size", 1024),
                Instant.now(),
                null);
        apply(oops, picture, recalled(oops, owner));

        Expander.Batch ofRecalled = apply(edited(oops, owner, "too late"));
        Expander.Batch ofPicture = apply(edited(picture, owner, "a caption"));

        assertRejected(ofRecalled, 0, ErrorCode.CONFLICT);
        assertRejected(ofPicture, 0, ErrorCode.CONFLICT);
        assertThat(content(oops)).isEqualTo("\"oops\"");
        assertThat(editedAt(picture)).isNull();
        assertThat(lastConvSeq(oops.conversation())).isEqualTo(3);
    }

    @Test
    void anEditAfterARecallOfTheSameMessageInOneBatchIsAConflict() {
        ConversationRecord.MessagePosted oops = message(owner, direct(owner, bob), "oops");
        apply(oops);

        Expander.Batch batch = apply(recalled(oops, owner), edited(oops, owner, "too late"));

        assertRejected(batch, 1, ErrorCode.CONFLICT);
        assertThat(content(oops)).isEqualTo("\"oops\"");
        assertThat(editedAt(oops)).isNull();
    }

    @Test
    void aChangeOfAnUnknownMessageOfAMessageOfAnotherConversationOrOfALifecycleEntryIsNotFound() {
        ConversationRecord.MessagePosted hello = message(owner, direct(owner, bob), "hello");
        ConversationRecord.MessageRecalled recall = recalled(hello, owner);
        apply(hello, recall);
        String recallEntry = MessageId.forChange("recall", hello.messageId());

        Expander.Batch unknown = apply(new ConversationRecord.MessageRecalled(
                direct(owner, bob), MessageId.forSend(owner, TestServers.uniqueId("never")), owner, Instant.now()));
        Expander.Batch elsewhere = apply(
                new ConversationRecord.MessageDeleted(direct(owner, carol), hello.messageId(), owner, Instant.now()));
        Expander.Batch ofEntry = apply(new ConversationRecord.ReactionChanged(
                "e-" + TestServers.uniqueId("r"), direct(owner, bob), recallEntry, bob, "👍", true, Instant.now()));

        assertRejected(unknown, 0, ErrorCode.NOT_FOUND);
        assertRejected(elsewhere, 0, ErrorCode.NOT_FOUND);
        assertRejected(ofEntry, 0, ErrorCode.NOT_FOUND);
        assertThat(unknown.rejection().getMessage()).startsWith("messageId: ");
        assertThat(hidden(owner, hello)).isFalse();
        assertThat(lastConvSeq(direct(owner, carol))).isZero();
    }

    @Test
    void aChangeByAUserWhoMayNotSeeTheTargetIsNotMember() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted before = message(owner, group(groupId), "before carol joined");
        ConversationRecord.MessagePosted direct = message(owner, direct(owner, bob), "between us");
        apply(before, added(groupId, carol, owner), direct);

        Expander.Batch latecomer = apply(reaction(before, carol, "👍", true));
        Expander.Batch deleteByLatecomer = apply(deleted(before, carol));
        Expander.Batch outsider = apply(deleted(direct, carol));

        assertRejected(latecomer, 0, ErrorCode.NOT_MEMBER);
        assertRejected(deleteByLatecomer, 0, ErrorCode.NOT_MEMBER);
        assertRejected(outsider, 0, ErrorCode.NOT_MEMBER);
        assertThat(reactions(before)).isEmpty();
        assertThat(hidden(carol, before)).isFalse();
        assertThat(hidden(carol, direct)).isFalse();
    }

    @Test
    void aRejectedChangeStopsItsBatchThereAndTheRecordsBeforeItStayApplied() {
        ConversationRecord.MessagePosted hello = message(owner, direct(owner, bob), "hello");
        ConversationRecord.MessagePosted after = message(owner, direct(owner, bob), "after");

        Expander.Batch batch = apply(hello, reaction(hello, bob, "👍", true), recalled(hello, bob), after);

        assertRejected(batch, 2, ErrorCode.FORBIDDEN);
        assertThat(batch.expansions()).extracting(e -> e.message().kind()).containsExactly("text", "reaction");
        assertThat(reactions(hello)).containsExactly("👍 " + bob + " 2");
        assertThat(recalledAt(hello)).isNull();
        assertThat(lastConvSeq(hello.conversation())).isEqualTo(2);
    }

    @Test
    void aSecondRecallMakesNoNewEntry() {
        ConversationRecord.MessagePosted oops = message(owner, direct(owner, bob), "oops");
        ConversationRecord.MessageRecalled first = recalled(oops, owner);
        apply(oops, first);

        Expander.Batch again = apply(
                new ConversationRecord.MessageRecalled(oops.conversation(), oops.messageId(), owner, Instant.now()));

        assertThat(again.rejection()).isNull();
        // at most the first recall's entry again, with its number: the inbox writer has it already
        assertThat(again.expansions()).allSatisfy(entry -> {
            assertThat(entry.messageId()).isEqualTo(MessageId.forChange("recall", oops.messageId()));
            assertThat(entry.convSeq()).isEqualTo(2);
        });
        assertThat(recalledAt(oops)).isEqualTo(first.at().toEpochMilli());
        assertThat(entriesOf(oops)).containsExactly("recall 2");
        assertThat(lastConvSeq(oops.conversation())).isEqualTo(2);
    }

    @Test
    void aReactionAlreadyThereMakesNoEntryAndItsRemovalMakesOne() {
        String groupId = createdGroup(owner, bob, carol);
        ConversationRecord.MessagePosted news = message(owner, group(groupId), "we shipped");
        apply(news);
        ConversationRecord.ReactionChanged add = reaction(news, bob, "🎉", true);

        Expander.Batch added = apply(add);
        Expander.Batch addedAgain = apply(reaction(news, bob, "🎉", true));
        ConversationRecord.ReactionChanged remove = reaction(news, bob, "🎉", false);
        Expander.Batch removedOnce = apply(remove);
        Expander.Batch removedAgain = apply(reaction(news, bob, "🎉", false));

        assertThat(added.expansions()).singleElement().satisfies(entry -> {
            assertThat(entry.messageId()).isEqualTo(MessageId.forChange("reaction", add.eventId()));
            assertThat(entry.message().content())
                    .isEqualTo(target(news).put("emoji", "🎉").put("added", true));
            assertThat(entry.convSeq()).isEqualTo(3);
            assertThat(entry.recipients()).containsExactlyInAnyOrder(owner, bob, carol);
        });
        assertThat(addedAgain.rejection()).isNull();
        assertThat(addedAgain.expansions()).isEmpty();
        assertThat(removedOnce.expansions()).singleElement().satisfies(entry -> {
            assertThat(entry.messageId()).isEqualTo(MessageId.forChange("reaction", remove.eventId()));
            assertThat(entry.message().content())
                    .isEqualTo(target(news).put("emoji", "🎉").put("added", false));
            assertThat(entry.convSeq()).isEqualTo(4);
        });
        assertThat(removedAgain.rejection()).isNull();
        assertThat(removedAgain.expansions()).isEmpty();
        assertThat(reactions(news)).isEmpty();
        assertThat(entriesOf(news)).containsExactly("reaction 3", "reaction 4");
        assertThat(lastConvSeq(news.conversation())).isEqualTo(4);
    }

    @Test
    void reactionsAreKeptInTheOrderOfTheLog() {
        String groupId = createdGroup(owner, bob, carol);
        ConversationRecord.MessagePosted news = message(owner, group(groupId), "we shipped");

        apply(
                news,
                reaction(news, carol, "🎉", true),
                reaction(news, bob, "🎉", true),
                reaction(news, bob, "👍", true));

        assertThat(new MessageRepository(jdbc).reactions(List.of(news.messageId())))
                .isEqualTo(Map.of(news.messageId(), Map.of("🎉", List.of(carol, bob), "👍", List.of(bob))));
        assertThat(reactions(news)).containsExactly("🎉 " + carol + " 3", "🎉 " + bob + " 4", "👍 " + bob + " 5");
    }

    @Test
    void aDeleteMakesAnEntryOnlyForTheActorWithoutAConvSeq() {
        String groupId = createdGroup(owner, bob, carol);
        ConversationRecord.MessagePosted news = message(owner, group(groupId), "news");
        apply(news);

        Expander.Batch batch = apply(deleted(news, bob));
        Expander.Batch again = apply(deleted(news, bob));

        assertThat(batch.rejection()).isNull();
        assertThat(batch.expansions()).singleElement().satisfies(entry -> {
            assertThat(entry.messageId()).isEqualTo(MessageId.forChange("delete", news.messageId(), bob));
            assertThat(entry.message().kind()).isEqualTo("delete");
            assertThat(entry.message().content()).isEqualTo(target(news));
            assertThat(entry.recipients()).containsExactly(bob);
            assertThat(entry.convSeq()).isZero();
        });
        assertThat(batch.entryCount()).isEqualTo(1);
        assertThat(hidden(bob, news)).isTrue();
        assertThat(hidden(owner, news)).isFalse();
        assertThat(hidden(carol, news)).isFalse();
        assertThat(entriesOf(news)).containsExactly("delete null");
        assertThat(lastConvSeq(news.conversation()))
                .as("a delete takes no number of the conversation")
                .isEqualTo(2);
        // a second delete of bob's changes nothing: at most the same entry again, for bob alone
        assertThat(again.rejection()).isNull();
        assertThat(again.expansions()).allSatisfy(entry -> {
            assertThat(entry.messageId()).isEqualTo(MessageId.forChange("delete", news.messageId(), bob));
            assertThat(entry.recipients()).containsExactly(bob);
        });
        assertThat(entriesOf(news)).containsExactly("delete null");

        ConversationRecord.MessagePosted next = message(owner, group(groupId), "next");
        assertThat(apply(next).expansions().getFirst().convSeq()).isEqualTo(3);
    }

    @Test
    void aRedeliveredBatchOfChangesReEntersTheSameEntriesToTheSameUsersAndAppliesNothingTwice() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted one = message(owner, group(groupId), "one");
        ConversationRecord.MessagePosted two = message(owner, group(groupId), "two");
        ConversationRecord.MessagePosted three = message(bob, group(groupId), "three");
        apply(one, two, three);
        List<Object> changes = List.of(
                recalled(one, owner),
                edited(two, owner, "two, edited"),
                reaction(three, owner, "👍", true),
                deleted(three, bob),
                edited(two, owner, "two, edited again"));

        Expander.Batch first = apply(changes.toArray());
        // between the delivery and the redelivery: the members change, the reaction is taken back
        apply(added(groupId, carol, owner), removed(groupId, bob, owner));
        apply(reaction(three, owner, "👍", false));
        Expander.Batch again = apply(changes.toArray());

        assertThat(first.rejection()).isNull();
        assertThat(again.rejection()).isNull();
        assertThat(again.expansions()).isEqualTo(first.expansions());
        assertThat(again.entryCount()).isEqualTo(first.entryCount()).isEqualTo(2 + 2 + 2 + 1 + 2);
        assertThat(first.expansions())
                .extracting(e -> e.message().kind(), Expander.Expansion::convSeq)
                .containsExactly(
                        tuple("recall", 5L),
                        tuple("edit", 6L),
                        tuple("reaction", 7L),
                        tuple("delete", 0L),
                        tuple("edit", 8L));
        assertThat(first.expansions())
                .allSatisfy(e -> assertThat(e.recipients()).isSubsetOf(owner, bob));
        assertThat(content(two)).as("not the first edit again").isEqualTo("\"two, edited again\"");
        assertThat(reactions(three)).as("not added again").isEmpty();
        assertThat(entriesOf(one, two, three))
                .containsExactly("recall 5", "edit 6", "reaction 7", "edit 8", "reaction 11", "delete null");
        assertThat(lastConvSeq(group(groupId))).isEqualTo(11);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM message_hides WHERE message_id = ?")
                        .param(three.messageId())
                        .query(Long.class)
                        .single())
                .isOne();
    }

    @Test
    void theEntriesOfAChangeInAGroupReachTheMembersAtTheTargetsPointInTheLog() {
        String groupId = createdGroup(owner, bob);
        String dave = person("dave");
        ConversationRecord.MessagePosted early = message(owner, group(groupId), "owner and bob");
        ConversationRecord.MessagePosted later = message(owner, group(groupId), "owner, bob and carol");

        Expander.Batch batch = apply(
                early,
                added(groupId, carol, owner),
                later,
                removed(groupId, bob, owner),
                recalled(early, owner),
                edited(later, owner, "edited when bob had left"),
                added(groupId, dave, owner));

        assertThat(batch.rejection()).isNull();
        assertThat(batch.expansions())
                .filteredOn(e -> e.message().kind().equals("recall"))
                .singleElement()
                .satisfies(entry -> {
                    assertThat(entry.recipients())
                            .as("bob, removed since, gets it; carol, added since, does not")
                            .containsExactlyInAnyOrder(owner, bob);
                    assertThat(entry.convSeq()).isEqualTo(6);
                });
        assertThat(batch.expansions())
                .filteredOn(e -> e.message().kind().equals("edit"))
                .singleElement()
                .satisfies(entry -> {
                    assertThat(entry.recipients()).containsExactlyInAnyOrder(owner, bob, carol);
                    assertThat(entry.convSeq()).isEqualTo(7);
                });
        // stored with the target's members version, so a redelivery reaches the same users
        assertThat(storedMembersVersion(MessageId.forChange("recall", early.messageId())))
                .isEqualTo(1);
    }

    @Test
    void aChangeOfAMessageOfTheSameBatchFindsItStored() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted news = message(owner, group(groupId), "news");
        ConversationRecord.MessageEdited edit = edited(news, owner, "news, edited");

        Expander.Batch batch = apply(news, edit, reaction(news, bob, "👍", true), added(groupId, carol, owner));

        assertThat(batch.rejection()).isNull();
        // the group's first entry is group.created; carol joining is a system message of its own
        assertThat(batch.expansions())
                .filteredOn(e -> !e.message().kind().equals("system"))
                .extracting(e -> e.message().kind(), Expander.Expansion::convSeq)
                .containsExactly(tuple("text", 2L), tuple("edit", 3L), tuple("reaction", 4L));
        assertThat(batch.expansions())
                .filteredOn(e -> !e.message().kind().equals("system"))
                .allSatisfy(e -> assertThat(e.recipients()).containsExactlyInAnyOrder(owner, bob));
        assertThat(content(news)).isEqualTo("\"news, edited\"");
        assertThat(reactions(news)).containsExactly("👍 " + bob + " 4");
    }

    @Test
    void aReplyNamesAMessageOfItsConversationThatTheSenderMaySee() {
        String groupId = createdGroup(owner, bob);
        ConversationRecord.MessagePosted question = message(owner, group(groupId), "coffee?");
        ConversationRecord.MessagePosted elsewhere = message(owner, direct(owner, bob), "a direct one");
        apply(question, elsewhere, recalled(elsewhere, owner), added(groupId, carol, owner));
        ConversationRecord.MessagePosted answer = reply(bob, group(groupId), "yes", question.messageId());

        Expander.Batch ok = apply(answer);
        Expander.Batch toOtherConversation = apply(reply(bob, group(groupId), "x", elsewhere.messageId()));
        Expander.Batch toUnknown =
                apply(reply(bob, group(groupId), "x", MessageId.forSend(bob, TestServers.uniqueId("never"))));
        Expander.Batch toEntry =
                apply(reply(bob, direct(owner, bob), "x", MessageId.forChange("recall", elsewhere.messageId())));
        Expander.Batch notSeen = apply(reply(carol, group(groupId), "x", question.messageId()));

        assertThat(ok.rejection()).isNull();
        assertThat(ok.expansions())
                .singleElement()
                .satisfies(e -> assertThat(e.message().replyTo()).isEqualTo(question.messageId()));
        assertThat(jdbc.sql("SELECT reply_to FROM messages WHERE message_id = ?")
                        .param(answer.messageId())
                        .query(String.class)
                        .single())
                .isEqualTo(question.messageId());
        for (Expander.Batch refused : List.of(toOtherConversation, toUnknown, toEntry, notSeen)) {
            assertRejected(refused, 0, ErrorCode.INVALID_REQUEST);
            assertThat(refused.rejection().getMessage()).startsWith("replyTo: ");
            assertThat(refused.expansions()).isEmpty();
        }
        assertThat(lastConvSeq(group(groupId))).isEqualTo(4);
    }

    @Test
    void bridgedReportsRecallsAndEditsWithTheTargetAsItsSystemKnowsItAndNotReactionsOrDeletes() {
        String weibo = bridgeIdentity("weibo");
        String groupId = createdGroup(owner, bob, weibo);
        ConversationRecord.MessagePosted news = message(owner, group(groupId), "news");
        String externalId = TestServers.uniqueId("wb");
        ConversationRecord.MessagePosted fromWeibo = new ConversationRecord.MessagePosted(
                MessageId.forBridge("weibo", externalId),
                externalId,
                group(groupId),
                weibo,
                "text",
                Json.MAPPER.getNodeFactory().stringNode("from weibo"),
                Instant.now(),
                "weibo");
        ConversationRecord.MessagePosted between = message(owner, direct(owner, bob), "no bridge here");
        apply(news, fromWeibo, between);
        ConversationRecord.MessageEdited edit = edited(news, owner, "news, edited");
        ConversationRecord.MessageRecalled recallOfWeibo = recalled(fromWeibo, weibo);

        Expander.Batch batch = apply(
                edit,
                reaction(news, bob, "👍", true),
                deleted(news, bob),
                recallOfWeibo,
                recalled(between, owner),
                recalled(news, owner));

        assertThat(batch.rejection()).isNull();
        assertThat(batch.bridged())
                .extracting(ExpandedMessage::kind, ExpandedMessage::target, ExpandedMessage::convSeq)
                .containsExactly(
                        tuple("edit", new ExpandedMessage.Target(news.messageId(), null, news.clientMsgId()), 4L),
                        tuple("recall", new ExpandedMessage.Target(fromWeibo.messageId(), "weibo", externalId), 6L),
                        tuple("recall", new ExpandedMessage.Target(news.messageId(), null, news.clientMsgId()), 7L));
        ExpandedMessage edited = batch.bridged().getFirst();
        assertThat(edited)
                .isEqualTo(new ExpandedMessage(
                        MessageId.forChange("edit", edit.eventId()),
                        group(groupId),
                        owner,
                        "edit",
                        target(news).put("text", "news, edited"),
                        edit.at(),
                        null,
                        List.of(weibo),
                        new ExpandedMessage.Target(news.messageId(), null, news.clientMsgId()),
                        4));
        assertThat(edited.target().externalIdFor("weibo")).isEqualTo(news.messageId());
        assertThat(batch.bridged().get(1).from()).isEqualTo(weibo);
        assertThat(batch.bridged().get(1).target().externalIdFor("weibo")).isEqualTo(externalId);
        assertThat(batch.bridged().get(1).target().externalIdFor("wechat")).isEqualTo(fromWeibo.messageId());
        // every record it reports is one the bridge outbound accepts
        batch.bridged()
                .forEach(expanded -> assertThat(Records.decodeExpanded(Records.encode(expanded)))
                        .isEqualTo(expanded));
        // a redelivery reports them again, the same
        assertThat(apply(edit, recallOfWeibo).bridged())
                .containsExactly(batch.bridged().get(0), batch.bridged().get(1));
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

    private static void assertRejected(Expander.Batch batch, int index, ErrorCode reason) {
        assertThat(batch.rejection()).as("rejection").isNotNull();
        assertThat(batch.rejection().reason())
                .as(batch.rejection().getMessage())
                .isEqualTo(reason);
        assertThat(batch.rejectedIndex()).isEqualTo(index);
    }

    /** The content of a change's entry: {@code {"target": <messageId>}}, to which a test adds the rest. */
    private static ObjectNode target(ConversationRecord.MessagePosted message) {
        return Json.MAPPER.createObjectNode().put("target", message.messageId());
    }

    private @Nullable Long recalledAt(ConversationRecord.MessagePosted message) {
        return jdbc.sql("SELECT recalled_at FROM messages WHERE message_id = ?")
                .param(message.messageId())
                .query((rs, row) -> rs.getObject(1, Long.class))
                .list()
                .getFirst();
    }

    private @Nullable Long editedAt(ConversationRecord.MessagePosted message) {
        return jdbc.sql("SELECT edited_at FROM messages WHERE message_id = ?")
                .param(message.messageId())
                .query((rs, row) -> rs.getObject(1, Long.class))
                .list()
                .getFirst();
    }

    private String content(ConversationRecord.MessagePosted message) {
        return jdbc.sql("SELECT content FROM messages WHERE message_id = ?")
                .param(message.messageId())
                .query(String.class)
                .single();
    }

    private boolean hidden(String userId, ConversationRecord.MessagePosted message) {
        return new MessageRepository(jdbc).isHidden(userId, message.messageId());
    }

    /** Each reaction to the message as {@code emoji user reactedSeq}, in the log's order. */
    private List<String> reactions(ConversationRecord.MessagePosted message) {
        return jdbc.sql("SELECT emoji, user_id, reacted_seq FROM message_reactions WHERE message_id = ? "
                        + "ORDER BY reacted_seq")
                .param(message.messageId())
                .query((rs, row) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3))
                .list();
    }

    /** The stored entries of changes of these messages, each as {@code kind convSeq}, by number (none last). */
    private List<String> entriesOf(ConversationRecord.MessagePosted... targets) {
        List<String> ids = Arrays.stream(targets)
                .map(ConversationRecord.MessagePosted::messageId)
                .toList();
        record Entry(String kind, @Nullable Long convSeq, String target) {}
        return jdbc
                .sql("""
                        SELECT kind, conv_seq, content FROM messages
                        WHERE kind IN ('recall', 'edit', 'reaction', 'delete')
                          AND conversation_id IN (SELECT conversation_id FROM messages WHERE message_id IN (:ids))
                        """)
                .param("ids", ids)
                .query((rs, row) -> new Entry(
                        rs.getString(1),
                        rs.getObject(2, Long.class),
                        Json.MAPPER.readTree(rs.getString(3)).path("target").asString()))
                .list()
                .stream()
                .filter(entry -> ids.contains(entry.target()))
                .sorted(Comparator.comparing(Entry::convSeq, Comparator.nullsLast(Comparator.naturalOrder())))
                .map(entry -> entry.kind() + " " + entry.convSeq())
                .toList();
    }

    private long storedMembersVersion(String messageId) {
        return jdbc.sql("SELECT members_version FROM messages WHERE message_id = ?")
                .param(messageId)
                .query(Long.class)
                .single();
    }

    private long lastConvSeq(String conversation) {
        return jdbc.sql("SELECT last_conv_seq FROM conversation_seqs WHERE conversation_id = ?")
                .param(conversation)
                .query(Long.class)
                .optional()
                .orElse(0L);
    }
}
