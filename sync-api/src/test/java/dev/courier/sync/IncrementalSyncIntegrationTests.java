package dev.courier.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.courier.common.SyncKey;
import dev.courier.common.SyncKeyCodec;
import dev.courier.testinfra.client.Api;

import static dev.courier.sync.SyncServiceIntegrationTests.caller;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-statement read of a sync after a key ({@link SyncService#incremental}) against the transactional read it
 * stands in for, on every key a user's devices held along a random history of messages, conversation states,
 * renames, contacts and group changes: it answers each exactly as the transactional read does, or declines, and it
 * declines only a key whose delta has contacts or groups in it.
 */
class IncrementalSyncIntegrationTests {

    private final SyncService sync = TestSyncApi.context().getBean(SyncService.class);

    private final SyncKeyCodec codec = TestSyncApi.context().getBean(SyncKeyCodec.class);

    @Test
    void answersEveryKeyAsTheTransactionalReadDoesOrDeclinesWhatItCannotServe() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String bobId = bob.userId();
        String group = bobId + "-g";
        TestRows.group(group, "Group", "alice", bobId);
        List<String> peers = List.of("alice", "carol", "dave");
        Random random = new Random(7);
        List<String> keys = new ArrayList<>();
        keys.add(sync.sync(caller(bob), null, 100).syncKey());
        for (int step = 0; step < 150; step++) {
            String peer = peers.get(random.nextInt(peers.size()));
            String conversation = "d:" + peer + ":" + bobId;
            // contacts and groups change in the first third only, as rarely as they do: the keys held after it are
            // the common case
            int operation = random.nextInt(step < 50 ? 20 : 17);
            if (operation < 12) {
                String message = TestRows.deliver(peer, "text " + step, bobId);
                TestRows.conversationChanged(bobId, conversation, message, random.nextInt(5));
            } else if (operation < 14) {
                // a read or a mute: the state moves without a message
                TestRows.conversationChanged(bobId, conversation, null, 0);
            } else if (operation < 16) {
                TestRows.deliverTexts(peer, bobId, 1 + random.nextInt(4), "burst " + step);
            } else if (operation < 17) {
                TestRows.rename(bobId, "Bob " + step);
            } else if (operation < 18) {
                TestRows.contact(bobId, peer, "alias " + step, random.nextBoolean());
            } else if (operation < 19) {
                TestRows.renameGroup(group, "Group " + step);
                TestRows.groupChanged(bobId, group, false, false);
            } else {
                keys.add(sync.sync(caller(bob), null, 1 + random.nextInt(5)).syncKey());
            }
            // a device syncs on from a key some device held, a few entries at a time
            keys.add(sync.sync(caller(bob), keys.get(random.nextInt(keys.size())), 1 + random.nextInt(5))
                    .syncKey());
        }

        int served = 0;
        int declined = 0;
        for (String key : keys) {
            SyncKey decoded = codec.decode(key, bobId);
            for (int limit : List.of(1, 3, 100)) {
                SyncResponse transactional = sync.inTransaction(bobId, decoded, limit);
                SyncResponse incremental = sync.incremental(bobId, decoded, limit);
                if (incremental == null) {
                    declined++;
                    assertThat(transactional.resync()
                                    || !transactional.contacts().isEmpty()
                                    || !transactional.groups().isEmpty())
                            .as("declined %s with limit %d", decoded, limit)
                            .isTrue();
                } else {
                    served++;
                    assertThat(incremental)
                            .as("the delta after %s with limit %d", decoded, limit)
                            .isEqualTo(transactional);
                }
            }
        }
        assertThat(served).as("keys served in one statement").isGreaterThan(keys.size());
        assertThat(declined).as("keys with contacts or groups after them").isPositive();
    }

    @Test
    void declinesAnotherUsersAbsenceAKeyOfAnotherEpochAndAKeyPastTheHead() {
        Api.Session bob = TestSyncApi.newSession("bob");
        TestRows.deliverTexts("alice", bob.userId(), 3, "n");
        SyncKey key = codec.decode(sync.sync(caller(bob), null, 100).syncKey(), bob.userId());
        assertThat(sync.incremental(bob.userId(), key, 100))
                .as("nothing after the head: an empty delta, served")
                .isNotNull()
                .satisfies(answer -> assertThat(answer.messages()).isEmpty());

        SyncKey otherEpoch = new SyncKey(
                key.userId(),
                key.epoch() + 1,
                key.accountVersion(),
                key.contactsVersion(),
                key.messageSeq(),
                key.conversationsVersion(),
                key.groupsVersion());
        assertThat(sync.incremental(bob.userId(), otherEpoch, 100)).isNull();
        SyncKey pastHead = new SyncKey(
                key.userId(),
                key.epoch(),
                key.accountVersion(),
                key.contactsVersion(),
                key.messageSeq() + 1,
                key.conversationsVersion(),
                key.groupsVersion());
        assertThat(sync.incremental(bob.userId(), pastHead, 100)).isNull();
        assertThat(sync.inTransaction(bob.userId(), pastHead, 100).resync()).isTrue();
        assertThat(sync.incremental("nobody-" + bob.userId(), key, 100))
                .as("no such user: the transactional read answers it")
                .isNull();
    }
}
