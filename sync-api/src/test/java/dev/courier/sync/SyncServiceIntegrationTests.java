package dev.courier.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.common.SyncKey;
import dev.courier.common.SyncKeyCodec;
import dev.courier.testinfra.client.Api;
import dev.courier.web.Caller;
import dev.courier.web.GroupView;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SyncService} on rows put in the shared database: a first sync, deltas after a key (messages, the account,
 * contacts and their deletions, groups changed, left or dissolved), paging with {@code hasMore}, every key that cannot be served exactly answered with a
 * {@code resync}, and keys that are malformed or another user's refused.
 */
class SyncServiceIntegrationTests {

    private final SyncService sync = TestSyncApi.context().getBean(SyncService.class);

    private final SyncKeyCodec codec = TestSyncApi.context().getBean(SyncKeyCodec.class);

    @Test
    void firstSyncHasTheAccountTheLiveContactsAndTheMostRecentMessagesAndAKeyAtTheHead() {
        Api.Session bob = TestSyncApi.newSession("bob");
        TestRows.contact(bob.userId(), "carol", "C", false);
        TestRows.contact(bob.userId(), "dave", "D", false);
        TestRows.contact(bob.userId(), "dave", "D", true);
        List<String> sent = TestRows.deliverTexts("alice", bob.userId(), 30, "n");

        SyncResponse first = sync.sync(caller(bob), null, 10);
        assertThat(first.resync()).isFalse();
        assertThat(first.hasMore())
                .as("older history is not replayed to a new device")
                .isFalse();
        assertThat(first.account()).isEqualTo(new SyncResponse.AccountView(bob.userId(), bob.userId(), 1));
        assertThat(first.contacts())
                .as("a device starting afresh needs the contacts, not the deletions")
                .containsExactly(new SyncResponse.Contact("carol", "C", false, 1));
        assertThat(first.messages())
                .extracting(SyncResponse.Message::messageId)
                .containsExactlyElementsOf(sent.subList(20, 30));
        assertThat(first.messages())
                .extracting(SyncResponse.Message::seq)
                .isSorted()
                .endsWith(30L);
        SyncResponse.Message last = first.messages().getLast();
        assertThat(last.from()).isEqualTo("alice");
        assertThat(last.kind()).isEqualTo("text");
        assertThat(last.content().asString()).isEqualTo("n 29");
        SyncKey key = codec.decode(first.syncKey(), bob.userId());
        assertThat(key.messageSeq()).isEqualTo(30);
        assertThat(key.accountVersion()).isEqualTo(1);
        assertThat(key.contactsVersion()).isEqualTo(3);

        SyncResponse again = sync.sync(caller(bob), first.syncKey(), 10);
        assertThat(again.messages()).isEmpty();
        assertThat(again.account()).isNull();
        assertThat(again.contacts()).isEmpty();
        assertThat(again.syncKey()).isEqualTo(first.syncKey());
    }

    @Test
    void deltaAfterAKeyHoldsOnlyWhatChangedAfterIt() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String key = sync.sync(caller(bob), null, 100).syncKey();

        List<String> sent = TestRows.deliverTexts("alice", bob.userId(), 3, "new");
        SyncResponse messages = sync.sync(caller(bob), key, 100);
        assertThat(messages.messages())
                .extracting(SyncResponse.Message::messageId)
                .containsExactlyElementsOf(sent);
        assertThat(messages.messages()).extracting(SyncResponse.Message::seq).containsExactly(1L, 2L, 3L);
        assertThat(messages.account()).isNull();
        assertThat(messages.contacts()).isEmpty();

        TestRows.rename(bob.userId(), "Robert");
        SyncResponse account = sync.sync(caller(bob), messages.syncKey(), 100);
        assertThat(account.account()).isEqualTo(new SyncResponse.AccountView(bob.userId(), "Robert", 2));
        assertThat(account.messages()).isEmpty();
        assertThat(account.contacts()).isEmpty();

        long put = TestRows.contact(bob.userId(), "carol", "Caro", false);
        SyncResponse added = sync.sync(caller(bob), account.syncKey(), 100);
        assertThat(added.account()).isNull();
        assertThat(added.contacts()).containsExactly(new SyncResponse.Contact("carol", "Caro", false, put));

        long deleted = TestRows.contact(bob.userId(), "carol", "Caro", true);
        TestRows.contact(bob.userId(), "dave", null, false);
        SyncResponse tombstone = sync.sync(caller(bob), added.syncKey(), 100);
        assertThat(tombstone.contacts())
                .as("a deletion after the key is reported, in version order")
                .containsExactly(
                        new SyncResponse.Contact("carol", "Caro", true, deleted),
                        new SyncResponse.Contact("dave", null, false, deleted + 1));
        assertThat(tombstone.resync()).isFalse();

        assertThat(sync.sync(caller(bob), null, 100).contacts())
                .as("a new device sees the live contacts only")
                .extracting(SyncResponse.Contact::userId)
                .containsExactly("dave");
    }

    @Test
    void moreThanTheLimitIsPagedWithHasMoreAndAnOlderKeyStaysValid() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String before = sync.sync(caller(bob), null, 100).syncKey();
        List<String> sent = TestRows.deliverTexts("alice", bob.userId(), 250, "n");

        String key = before;
        List<SyncResponse.Message> pages = new ArrayList<>();
        List<Boolean> hasMore = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        do {
            SyncResponse page = sync.sync(caller(bob), key, 100);
            pages.addAll(page.messages());
            sizes.add(page.messages().size());
            hasMore.add(page.hasMore());
            key = page.syncKey();
        } while (hasMore.getLast());

        assertThat(sizes).containsExactly(100, 100, 50);
        assertThat(hasMore).containsExactly(true, true, false);
        assertThat(pages).extracting(SyncResponse.Message::messageId).containsExactlyElementsOf(sent);
        assertThat(pages).extracting(SyncResponse.Message::seq).isSorted().doesNotHaveDuplicates();
        assertThat(sync.sync(caller(bob), key, 100).messages())
                .as("the last key acknowledges everything")
                .isEmpty();
        SyncResponse again = sync.sync(caller(bob), before, 100);
        assertThat(again.messages())
                .extracting(SyncResponse.Message::messageId)
                .containsExactlyElementsOf(sent.subList(0, 100));
        assertThat(again.hasMore()).isTrue();
        assertThat(again.resync()).isFalse();
    }

    @Test
    void keyOfAnotherEpochIsAnsweredWithAResyncAndAKeyOfThisEpoch() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String sent = TestRows.deliver("alice", "hello", bob.userId());
        SyncKey current = codec.decode(sync.sync(caller(bob), null, 100).syncKey(), bob.userId());
        assertThat(current.epoch())
                .as("the store's epoch, set at migration time")
                .isPositive();

        // a key from before a store reset: its positions mean nothing here any more
        SyncResponse resynced =
                sync.sync(caller(bob), codec.encode(new SyncKey(bob.userId(), current.epoch() + 1, 5, 5, 1_000)), 100);
        assertFirstSync(resynced, bob, List.of(sent));
        assertThat(codec.decode(resynced.syncKey(), bob.userId()).epoch()).isEqualTo(current.epoch());
    }

    @Test
    void keyBelowWhatRetentionTrimmedIsAnsweredWithAResyncAndAKeyAtTheTrimPointIsNot() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String oldKey = sync.sync(caller(bob), null, 100).syncKey();
        List<String> sent = TestRows.deliverTexts("alice", bob.userId(), 3, "n");
        SyncKey old = codec.decode(oldKey, bob.userId());
        String atTwo =
                codec.encode(new SyncKey(bob.userId(), old.epoch(), old.accountVersion(), old.contactsVersion(), 2));
        TestSyncApi.jdbc()
                .sql("DELETE FROM inbox WHERE user_id = ? AND seq <= 2")
                .param(bob.userId())
                .update();
        TestSyncApi.jdbc()
                .sql("UPDATE inbox_heads SET trimmed_seq = 2 WHERE user_id = ?")
                .param(bob.userId())
                .update();

        assertFirstSync(sync.sync(caller(bob), oldKey, 100), bob, sent.subList(2, 3));
        SyncResponse atTheTrimPoint = sync.sync(caller(bob), atTwo, 100);
        assertThat(atTheTrimPoint.resync()).isFalse();
        assertThat(atTheTrimPoint.messages())
                .extracting(SyncResponse.Message::messageId)
                .containsExactly(sent.get(2));
    }

    @Test
    void keyBeyondTheStoresHeadOrVersionsIsAnsweredWithAResync() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String sent = TestRows.deliver("alice", "hello", bob.userId());
        SyncKey key = codec.decode(sync.sync(caller(bob), null, 100).syncKey(), bob.userId());
        // the store is behind the key (restored from an older backup): nothing it has may be skipped
        for (SyncKey ahead : List.of(
                new SyncKey(bob.userId(), key.epoch(), key.accountVersion(), key.contactsVersion(), 6),
                new SyncKey(bob.userId(), key.epoch(), key.accountVersion() + 1, key.contactsVersion(), 1),
                new SyncKey(bob.userId(), key.epoch(), key.accountVersion(), key.contactsVersion() + 1, 1),
                new SyncKey(
                        bob.userId(),
                        key.epoch(),
                        key.accountVersion(),
                        key.contactsVersion(),
                        1,
                        key.conversationsVersion() + 1,
                        key.groupsVersion()))) {
            assertFirstSync(sync.sync(caller(bob), codec.encode(ahead), 100), bob, List.of(sent));
        }
    }

    @Test
    void firstSyncListsEveryGroupTheUserIsInNowWholeInIdOrder() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String bobId = bob.userId();
        String prefix = TestSyncApi.uniqueId("g");
        TestRows.group(prefix + "-b", "Bravo", "alice", bobId, "carol");
        TestRows.admin(prefix + "-b", "carol");
        TestRows.group(prefix + "-a", "Alpha", bobId);
        TestRows.group(prefix + "-c", "Left", "alice", bobId);
        TestRows.leaveGroup(prefix + "-c", bobId);
        TestRows.group(prefix + "-d", "Dissolved", "alice", bobId);
        TestRows.dissolveGroup(prefix + "-d");
        TestRows.group(prefix + "-e", "Not his", "alice", "carol");
        TestRows.groupChanged(bobId, prefix + "-a", false, false);
        TestRows.groupChanged(bobId, prefix + "-c", true, false);
        long groupsVersion = TestRows.groupChanged(bobId, prefix + "-d", false, true);

        SyncResponse first = sync.sync(caller(bob), null, 100);
        assertThat(first.groups())
                .as("the groups bob is in now, not dissolved, not left, each whole")
                .containsExactly(
                        new GroupView(
                                prefix + "-a", "Alpha", bobId, List.of(bobId), List.of(), "", false, 1, 1, null, null),
                        new GroupView(
                                prefix + "-b",
                                "Bravo",
                                "alice",
                                List.of("alice", bobId, "carol"),
                                List.of("carol"),
                                "",
                                false,
                                3,
                                2,
                                null,
                                null));
        assertThat(codec.decode(first.syncKey(), bobId).groupsVersion())
                .as("the key carries the groups version")
                .isEqualTo(groupsVersion);
        SyncResponse again = sync.sync(caller(bob), first.syncKey(), 100);
        assertThat(again.groups()).isEmpty();
        assertThat(again.syncKey()).isEqualTo(first.syncKey());
    }

    @Test
    void deltaAfterAKeyListsEachGroupChangedSinceOnceWholeAsItIsNowInVersionOrder() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String bobId = bob.userId();
        String one = TestSyncApi.uniqueId("g1");
        String two = TestSyncApi.uniqueId("g2");
        String three = TestSyncApi.uniqueId("g3");
        for (String groupId : List.of(one, two, three)) {
            TestRows.group(groupId, "G", "alice", bobId);
        }
        TestRows.groupChanged(bobId, three, false, false);
        String key = sync.sync(caller(bob), null, 100).syncKey();

        TestRows.renameGroup(one, "One");
        TestRows.groupChanged(bobId, one, false, false);
        TestRows.renameGroup(two, "Two");
        TestRows.groupChanged(bobId, two, false, false);
        TestRows.renameGroup(one, "One again");
        long last = TestRows.groupChanged(bobId, one, false, false);

        SyncResponse delta = sync.sync(caller(bob), key, 100);
        assertThat(delta.resync()).isFalse();
        assertThat(delta.groups())
                .extracting(GroupView::groupId)
                .as("each once, in the order of bob's groups versions; not the one changed before the key")
                .containsExactly(two, one);
        GroupView now = delta.groups().get(1);
        assertThat(now.name()).as("as it is now").isEqualTo("One again");
        assertThat(now.version()).isEqualTo(3);
        assertThat(now.members()).containsExactly("alice", bobId);
        assertThat(now.owner()).isEqualTo("alice");
        assertThat(now.memberCount()).isEqualTo(2);
        assertThat(now.left()).isNull();
        assertThat(now.dissolved()).isNull();
        assertThat(delta.account()).isNull();
        assertThat(delta.messages()).isEmpty();
        assertThat(codec.decode(delta.syncKey(), bobId).groupsVersion()).isEqualTo(last);

        SyncResponse empty = sync.sync(caller(bob), delta.syncKey(), 100);
        assertThat(empty.groups()).as("the new key covers them").isEmpty();
        assertThat(empty.syncKey()).isEqualTo(delta.syncKey());
        assertThat(sync.sync(caller(bob), key, 100).groups())
                .as("the older key stays valid")
                .extracting(GroupView::groupId)
                .containsExactly(two, one);
    }

    @Test
    void groupLeftAppearsOnceAsLeftAndADissolvedGroupWholeWithDissolved() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String bobId = bob.userId();
        String left = TestSyncApi.uniqueId("g1");
        String dissolved = TestSyncApi.uniqueId("g2");
        TestRows.group(left, "Left", "alice", bobId);
        TestRows.group(dissolved, "Dissolved", "alice", bobId);
        String key = sync.sync(caller(bob), null, 100).syncKey();

        TestRows.leaveGroup(left, bobId);
        TestRows.groupChanged(bobId, left, true, false);
        TestRows.dissolveGroup(dissolved);
        TestRows.groupChanged(bobId, dissolved, false, true);

        SyncResponse delta = sync.sync(caller(bob), key, 100);
        assertThat(delta.groups())
                .containsExactly(
                        new GroupView(left, "Left", null, null, null, null, null, null, 2, true, null),
                        new GroupView(
                                dissolved,
                                "Dissolved",
                                "alice",
                                List.of("alice", bobId),
                                List.of(),
                                "",
                                false,
                                2,
                                2,
                                null,
                                true));
        assertThat(sync.sync(caller(bob), null, 100).groups())
                .as("a new device is told of neither")
                .isEmpty();

        // on the wire: a group left is its id, name and version only
        TestSyncApi.Answer answer = TestSyncApi.sync(bob.token(), key, 0);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().path("groups").get(0).propertyNames())
                .containsExactlyInAnyOrder("groupId", "name", "version", "left");
        assertThat(answer.body().path("groups").get(0).path("left").asBoolean()).isTrue();
        assertThat(answer.body().path("groups").get(1).path("dissolved").asBoolean())
                .isTrue();
        assertThat(answer.body().path("groups").get(1).has("left")).isFalse();
        assertThat(answer.body().path("groups").get(1).path("members").size()).isEqualTo(2);
    }

    @Test
    void keyBeyondTheStoresGroupsVersionIsAnsweredWithAResyncListingTheGroupsAsAFirstSync() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String groupId = TestSyncApi.uniqueId("g");
        TestRows.group(groupId, "G", "alice", bob.userId());
        TestRows.groupChanged(bob.userId(), groupId, false, false);
        SyncResponse first = sync.sync(caller(bob), null, 100);
        SyncKey key = codec.decode(first.syncKey(), bob.userId());

        SyncKey ahead = new SyncKey(
                bob.userId(),
                key.epoch(),
                key.accountVersion(),
                key.contactsVersion(),
                key.messageSeq(),
                key.conversationsVersion(),
                key.groupsVersion() + 1);
        SyncResponse resynced = sync.sync(caller(bob), codec.encode(ahead), 100);
        assertThat(resynced.resync()).isTrue();
        assertThat(resynced.groups()).isEqualTo(first.groups());
        assertThat(resynced.groups()).extracting(GroupView::groupId).containsExactly(groupId);
        assertThat(resynced.syncKey()).isEqualTo(first.syncKey());
    }

    @Test
    void malformedAlteredAndForeignKeysAreInvalid() {
        Api.Session bob = TestSyncApi.newSession("bob");
        Api.Session alice = TestSyncApi.newSession("alice");
        TestRows.deliver("bob", "secret", alice.userId());
        String alicesKey = sync.sync(caller(alice), null, 100).syncKey();
        assertThatThrownBy(() -> sync.sync(caller(bob), alicesKey, 100))
                .isInstanceOf(SyncKeyCodec.InvalidSyncKeyException.class)
                .hasMessageContaining("another user");
        for (String bad :
                List.of("garbage!", alicesKey.substring(0, alicesKey.length() - 3) + "AAA", "", "x".repeat(600))) {
            assertThatThrownBy(() -> sync.sync(caller(bob), bad, 100))
                    .as(bad)
                    .isInstanceOf(SyncKeyCodec.InvalidSyncKeyException.class);
        }
        assertThat(sync.sync(caller(bob), null, 100).messages())
                .as("bob reads his own inbox only")
                .isEmpty();
    }

    private void assertFirstSync(SyncResponse answer, Api.Session user, List<String> messages) {
        assertThat(answer.resync()).isTrue();
        assertThat(answer.account()).isNotNull();
        assertThat(answer.account().userId()).isEqualTo(user.userId());
        assertThat(answer.messages())
                .extracting(SyncResponse.Message::messageId)
                .containsExactlyElementsOf(messages);
        SyncResponse fresh = sync.sync(caller(user), null, 100);
        assertThat(answer.syncKey()).as("a fresh key, as a first sync's").isEqualTo(fresh.syncKey());
    }

    static Caller caller(Api.Session session) {
        return new Caller(session.userId(), session.deviceId(), Instant.now().plusSeconds(3600));
    }
}
