package dev.courier.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.testinfra.client.Api;

import static dev.courier.sync.SyncServiceIntegrationTests.caller;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RetentionJob}: trims inbox rows every active device of the user acknowledged (through the key it presented)
 * and older than the retention period (7 days); a device silent for more than 30 days holds nothing back, and a key
 * below the trim gets a {@code resync} afterwards. Runs here as of a time in the future instead of waiting for it.
 */
class RetentionJobIntegrationTests {

    private final RetentionJob retention = TestSyncApi.context().getBean(RetentionJob.class);

    private final SyncService sync = TestSyncApi.context().getBean(SyncService.class);

    @Test
    void withNoActiveDeviceLeftEverythingOlderThanThePeriodIsTrimmedAndAnOldKeyResyncs() {
        Api.Session phone = TestSyncApi.newSession("bob");
        Api.Session laptop = TestSyncApi.newDevice(phone.userId(), "laptop", System.currentTimeMillis());
        String oldKey = sync.sync(caller(phone), null, 100).syncKey();
        TestRows.deliverTexts("alice", phone.userId(), 3, "old");
        String laptopsKey = syncAll(laptop, null);

        // 31 days on, no device is active any more: everything older than the retention period goes
        assertThat(retention.trimUser(phone.userId(), daysOn(31))).isEqualTo(3);
        assertThat(inboxSeqs(phone)).isEmpty();

        SyncResponse resynced = sync.sync(caller(phone), oldKey, 100);
        assertThat(resynced.resync()).isTrue();
        assertThat(resynced.account()).isNotNull();
        assertThat(resynced.messages()).isEmpty();
        assertThat(resynced.syncKey()).isNotEqualTo(oldKey);
        SyncResponse current = sync.sync(caller(laptop), laptopsKey, 100);
        assertThat(current.resync()).as("the laptop's key is at the trim point").isFalse();
        assertThat(current.messages()).isEmpty();

        String after = TestRows.deliver("alice", "after the trim", phone.userId());
        assertThat(sync.sync(caller(laptop), laptopsKey, 100).messages())
                .extracting(SyncResponse.Message::messageId)
                .containsExactly(after);
        SyncResponse resyncedAgain = sync.sync(caller(phone), oldKey, 100);
        assertThat(resyncedAgain.resync()).isTrue();
        assertThat(resyncedAgain.messages())
                .extracting(SyncResponse.Message::messageId)
                .containsExactly(after);
    }

    @Test
    void rowsAnActiveDeviceHasNotAcknowledgedAreKeptUntilItHas() {
        Api.Session phone = TestSyncApi.newSession("bob");
        Api.Session laptop = TestSyncApi.newDevice(phone.userId(), "laptop", System.currentTimeMillis());
        String phonesKey = sync.sync(caller(phone), null, 100).syncKey();
        List<String> sent = TestRows.deliverTexts("alice", phone.userId(), 3, "kept");
        syncAll(laptop, null);
        flush();
        assertThat(TestRows.ackedSeq(phone.userId(), "laptop")).isEqualTo(3);

        // 8 days on, the phone (active: it synced within 30 days) has not acknowledged the three
        assertThat(retention.trimUser(phone.userId(), daysOn(8))).isZero();
        SyncResponse delta = sync.sync(caller(phone), phonesKey, 100);
        assertThat(delta.resync()).isFalse();
        assertThat(delta.messages()).extracting(SyncResponse.Message::messageId).containsExactlyElementsOf(sent);

        // once the phone acknowledged them too (by presenting the key that covers them), they go
        assertThat(sync.sync(caller(phone), delta.syncKey(), 100).messages()).isEmpty();
        assertThat(retention.trimUser(phone.userId(), daysOn(8))).isEqualTo(3);
        assertThat(sync.sync(caller(phone), delta.syncKey(), 100).resync()).isFalse();
        assertThat(sync.sync(caller(phone), phonesKey, 100).resync()).isTrue();
    }

    @Test
    void rowsYoungerThanThePeriodAreKeptThoughEveryDeviceAcknowledgedThem() {
        Api.Session phone = TestSyncApi.newSession("bob");
        String key = sync.sync(caller(phone), null, 100).syncKey();
        TestRows.deliverTexts("alice", phone.userId(), 2, "young");
        syncAll(phone, key);

        assertThat(retention.trimUser(phone.userId(), daysOn(6))).isZero();
        assertThat(inboxSeqs(phone)).containsExactly(1L, 2L);
        assertThat(retention.trimUser(phone.userId(), daysOn(8))).isEqualTo(2);
    }

    @Test
    void aDeviceThatLoggedInRecentlyIsActiveThoughItsLastSyncIsOld() {
        Api.Session phone = TestSyncApi.newSession("bob");
        String phonesKey = sync.sync(caller(phone), null, 100).syncKey();
        Api.Session tablet = TestSyncApi.newDevice(phone.userId(), "tablet", System.currentTimeMillis());
        List<String> sent = TestRows.deliverTexts("alice", phone.userId(), 3, "for the phone");
        syncAll(tablet, null);
        flush();
        assertThat(TestRows.ackedSeq(phone.userId(), "tablet")).isEqualTo(3);

        // the phone last synced 25 days ago and has just logged in again
        long now = System.currentTimeMillis();
        TestSyncApi.jdbc()
                .sql("UPDATE devices SET last_sync_at = ?, last_login_at = ? WHERE user_id = ? AND device_id = 'phone'")
                .params(now - Duration.ofDays(25).toMillis(), now, phone.userId())
                .update();

        // 8 days on, the phone logged in 8 days ago: it is active and has not acknowledged the three
        assertThat(retention.trimUser(phone.userId(), daysOn(8)))
                .as("rows trimmed that an active device still needs")
                .isZero();
        SyncResponse delta = sync.sync(caller(phone), phonesKey, 100);
        assertThat(delta.resync()).isFalse();
        assertThat(delta.messages()).extracting(SyncResponse.Message::messageId).containsExactlyElementsOf(sent);
    }

    /** Syncs until nothing more comes; returns the last key. */
    private String syncAll(Api.Session session, String key) {
        SyncResponse answer;
        do {
            answer = sync.sync(caller(session), key, 100);
            key = answer.syncKey();
        } while (answer.hasMore() || !answer.messages().isEmpty());
        return key;
    }

    private static void flush() {
        // syncs record acknowledgements in memory; they are written once a second, or now
        TestSyncApi.context().getBean(DeviceAcknowledgements.class).flush();
    }

    private static Instant daysOn(int days) {
        return Instant.now().plus(Duration.ofDays(days));
    }

    private static List<Long> inboxSeqs(Api.Session user) {
        return TestSyncApi.jdbc()
                .sql("SELECT seq FROM inbox WHERE user_id = ? ORDER BY seq")
                .param(user.userId())
                .query(Long.class)
                .list();
    }
}
