package dev.courier.sync;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.courier.common.Presence;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence ({@link DevicePresence}) on the real Redis: a device's key exists while it holds a stream or a long poll,
 * is refreshed past its expiry while held, goes when the stream closes (and a long poll's grace after its answer),
 * is per device, and comes back after Redis lost it or was unreachable. The test sync-api refreshes every second.
 */
class DevicePresenceIntegrationTests {

    private final Api api = TestSyncApi.api();

    private final String url = api.sync.replace("http://", "ws://") + "/v1/stream";

    @AfterEach
    void redisBack() {
        TestSyncApi.redisBack();
    }

    @Test
    void aStreamHoldsItsDevicesPresenceBeyondTheKeysExpiryUntilItCloses() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String key = Presence.key(bob.userId(), "phone");
        try (Socket stream = Socket.connect(url, bob.token())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> present(key));
            long ttl = TestSyncApi.redisDirect().pttl(key);
            assertThat(ttl).as("an expiry of twice the refresh").isBetween(1L, 2_000L);
            // refreshed while held: present for longer than one expiry
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> present(key));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !present(key));
    }

    @Test
    void presenceIsPerDeviceAndTwoStreamsOfOneDeviceHoldItUntilTheLastCloses() {
        Api.Session bob = TestSyncApi.newSession("bob");
        Api.Session laptop = TestSyncApi.newDevice(bob.userId(), "laptop", System.currentTimeMillis());
        String phoneKey = Presence.key(bob.userId(), "phone");
        String laptopKey = Presence.key(bob.userId(), "laptop");
        Socket first = Socket.connect(url, bob.token());
        try (Socket second = Socket.connect(url, bob.token())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> present(phoneKey));
            assertThat(present(laptopKey)).as("the user's other device").isFalse();
            first.close();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> present(phoneKey));
            try (Socket laptopStream = Socket.connect(url, laptop.token())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> present(laptopKey));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !present(laptopKey));
            assertThat(present(phoneKey)).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !present(phoneKey));
    }

    @Test
    void aLongPollHoldsPresenceWhileItWaitsAndForItsGraceAfterItsAnswer() {
        String userId = TestSyncApi.uniqueId("u");
        String token = TestSyncApi.newUser(userId);
        String key = Presence.key(userId, "phone");
        String syncKey = TestSyncApi.firstSyncKey(token);
        assertThat(present(key)).as("a sync that does not wait holds nothing").isFalse();
        CompletableFuture<TestSyncApi.Answer> poll =
                CompletableFuture.supplyAsync(() -> TestSyncApi.sync(token, syncKey, 3_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> present(key));
        await().atMost(Duration.ofSeconds(10)).until(poll::isDone);
        assertThat(poll.join().status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> !present(key));
    }

    @Test
    void aKeyThatRedisLostOrCouldNotTakeIsWrittenAgainOnceRedisIsBack() {
        Api.Session bob = TestSyncApi.newSession("bob");
        String key = Presence.key(bob.userId(), "phone");
        MeterRegistry meters = TestSyncApi.context().getBean(MeterRegistry.class);
        try (Socket stream = Socket.connect(url, bob.token())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> present(key));
            TestSyncApi.redisDirect().del(key);
            await().atMost(Duration.ofSeconds(5)).until(() -> present(key));

            double failuresBefore =
                    meters.counter("courier.sync.presence.failures").count();
            TestSyncApi.redis().cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !present(key));
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            meters.counter("courier.sync.presence.failures").count() > failuresBefore);
            TestSyncApi.redisBack();
            await().atMost(Duration.ofSeconds(15)).until(() -> present(key));
        }
    }

    private static boolean present(String key) {
        return TestSyncApi.redisDirect().exists(key) == 1;
    }
}
