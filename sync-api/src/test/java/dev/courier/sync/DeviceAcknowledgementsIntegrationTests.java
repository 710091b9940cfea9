package dev.courier.sync;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.courier.testinfra.client.Api;

import static dev.courier.sync.SyncServiceIntegrationTests.caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link DeviceAcknowledgements}: the position a device presented is written behind, by a flush; a position written
 * never goes back (an older key presented later, or written late, only leaves it), per device; a flush the database
 * refused keeps its positions for the next.
 */
class DeviceAcknowledgementsIntegrationTests {

    private final DeviceAcknowledgements acknowledgements =
            TestSyncApi.context().getBean(DeviceAcknowledgements.class);

    @AfterEach
    void databaseBack() {
        TestSyncApi.database().restore();
    }

    @Test
    void flushWritesEachDevicesPositionAndAPositionNeverGoesBack() {
        Api.Session phone = TestSyncApi.newSession("bob");
        TestSyncApi.newDevice(phone.userId(), "laptop", 0);
        acknowledgements.record(phone.userId(), "phone", 5, 1_000);
        acknowledgements.record(phone.userId(), "laptop", 2, 2_000);
        acknowledgements.flush();
        assertThat(position(phone, "phone")).isEqualTo("5 at 1000");
        assertThat(position(phone, "laptop")).isEqualTo("2 at 2000");

        // an older key presented later: the position stays, the device was active later
        acknowledgements.record(phone.userId(), "phone", 3, 3_000);
        acknowledgements.flush();
        assertThat(position(phone, "phone")).isEqualTo("5 at 3000");
        // a newer position written late: it moves on, the activity does not go back
        acknowledgements.record(phone.userId(), "phone", 7, 500);
        acknowledgements.flush();
        assertThat(position(phone, "phone")).isEqualTo("7 at 3000");
        assertThat(position(phone, "laptop")).as("each device has its own").isEqualTo("2 at 2000");
    }

    @Test
    void positionsRecordedBetweenFlushesAreWrittenAsTheHighest() {
        Api.Session phone = TestSyncApi.newSession("bob");
        acknowledgements.record(phone.userId(), "phone", 4, 1_000);
        acknowledgements.record(phone.userId(), "phone", 9, 3_000);
        acknowledgements.record(phone.userId(), "phone", 2, 2_000);
        acknowledgements.flush();
        assertThat(position(phone, "phone")).isEqualTo("9 at 3000");
    }

    @Test
    void eachSyncRecordsTheKeyItsDevicePresented() {
        SyncService sync = TestSyncApi.context().getBean(SyncService.class);
        Api.Session phone = TestSyncApi.newSession("bob");
        Api.Session laptop = TestSyncApi.newDevice(phone.userId(), "laptop", 0);
        String phonesFirst = sync.sync(caller(phone), null, 100).syncKey();
        String laptopsFirst = sync.sync(caller(laptop), null, 100).syncKey();
        TestRows.deliverTexts("alice", phone.userId(), 3, "n");

        String phonesKey = sync.sync(caller(phone), phonesFirst, 100).syncKey();
        sync.sync(caller(phone), phonesKey, 100);
        acknowledgements.flush();
        assertThat(TestRows.ackedSeq(phone.userId(), "phone")).isEqualTo(3);
        assertThat(TestRows.ackedSeq(phone.userId(), "laptop"))
                .as("the laptop acknowledged nothing yet")
                .isZero();

        String laptopsKey = sync.sync(caller(laptop), laptopsFirst, 100).syncKey();
        TestRows.deliverTexts("alice", phone.userId(), 2, "more");
        String laptopsLast = sync.sync(caller(laptop), laptopsKey, 100).syncKey();
        sync.sync(caller(laptop), laptopsLast, 100);
        acknowledgements.flush();
        assertThat(TestRows.ackedSeq(phone.userId(), "laptop")).isEqualTo(5);
        assertThat(TestRows.ackedSeq(phone.userId(), "phone"))
                .as("the laptop's acknowledgement is not the phone's")
                .isEqualTo(3);
    }

    @Test
    void positionsOfAFlushTheDatabaseRefusedAreWrittenByTheNext() {
        Api.Session phone = TestSyncApi.newSession("bob");
        TestSyncApi.database().cut();
        acknowledgements.record(phone.userId(), "phone", 6, 1_000);
        assertThatThrownBy(acknowledgements::flush).isInstanceOf(RuntimeException.class);

        TestSyncApi.database().restore();
        // the pool may hand out a connection the cut broke: a flush that fails again keeps the positions again
        // (a broken connection fails when the transaction begins: that failure is waited out as well)
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            acknowledgements.flush();
            assertThat(position(phone, "phone")).isEqualTo("6 at 1000");
        });
    }

    private static String position(Api.Session user, String deviceId) {
        return TestSyncApi.jdbc()
                .sql("SELECT acked_seq, last_sync_at FROM devices WHERE user_id = ? AND device_id = ?")
                .params(user.userId(), deviceId)
                .query((rs, n) -> rs.getLong(1) + " at " + rs.getLong(2))
                .single();
    }
}
