package dev.courier.sync;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link HintSubscriptions} against a real Redis that refuses subscriptions (its ACL takes the channels away) or is cut
 * off: what is wanted is subscribed in the end, and nothing that is no longer wanted stays subscribed. In order: each
 * test ends with nothing subscribed, so taking the channels away never makes Redis drop the connection by itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HintSubscriptionsIntegrationTests {

    private static final Duration RETRIES = Duration.ofSeconds(20);

    @AfterEach
    void redisBack() {
        TestSyncApi.redis().restore();
        TestSyncApi.channelsAllowed(true);
    }

    @Test
    @Order(1)
    void subscriptionRefusedByRedisIsRetriedUntilHintsArrive() {
        HintSubscriptions hints = TestSyncApi.hints();
        await().until(hints::connected);
        String userId = TestSyncApi.uniqueId("u");
        BlockingQueue<HintSubscriptions.Hint> received = new LinkedBlockingQueue<>();
        TestSyncApi.channelsAllowed(false);
        try (HintSubscriptions.Subscription subscription = hints.subscribe(userId, received::add)) {
            await().until(() -> subscription.ready().isDone());
            assertThat(subscription.ready()).isCompletedExceptionally();
            assertThat(TestSyncApi.refusedSubscriptions(userId)).isPositive();

            TestSyncApi.channelsAllowed(true);
            await().atMost(RETRIES).untilAsserted(() -> {
                TestSyncApi.publishInboxHint(userId, 7);
                assertThat(received.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS))
                        .isNotNull();
            });
        }
    }

    @Test
    @Order(2)
    void resubscribeRefusedAfterAnOutageIsRetriedUntilHintsArrive() {
        HintSubscriptions hints = TestSyncApi.hints();
        await().until(hints::connected);
        String userId = TestSyncApi.uniqueId("u");
        BlockingQueue<HintSubscriptions.Hint> received = new LinkedBlockingQueue<>();
        try (HintSubscriptions.Subscription subscription = hints.subscribe(userId, received::add)) {
            subscription.ready().join();
            TestSyncApi.redis().cut();
            TestSyncApi.channelsAllowed(false);
            TestSyncApi.redis().restore();
            // back, but the channel is refused twice: when the connection restores it, and when it is subscribed again
            await().atMost(RETRIES).until(() -> TestSyncApi.refusedSubscriptions(userId) >= 2);

            TestSyncApi.channelsAllowed(true);
            await().atMost(RETRIES).untilAsserted(() -> {
                TestSyncApi.publishInboxHint(userId, 8);
                assertThat(received.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS))
                        .isNotNull();
            });
        }
    }

    @Test
    @Order(3)
    void subscriptionClosedWhileRedisIsCutOffLeavesNoSubscriptionOnceRedisIsBack() {
        HintSubscriptions hints = TestSyncApi.hints();
        await().until(hints::connected);
        String userId = TestSyncApi.uniqueId("u");
        HintSubscriptions.Subscription subscription = hints.subscribe(userId, hint -> {});
        subscription.ready().join();
        assertThat(TestSyncApi.subscribers(userId)).isEqualTo(1);

        TestSyncApi.redis().cut();
        subscription.close();
        TestSyncApi.redis().restore();
        await().atMost(RETRIES).until(() -> hints.connected() && reconnected(hints));

        await().atMost(RETRIES)
                .untilAsserted(() -> assertThat(TestSyncApi.subscribers(userId)).isZero());
    }

    /**
     * Whether commands written now reach Redis: a subscription of another user is confirmed (whatever the connection
     * wrote on reconnecting was written before it).
     */
    private static boolean reconnected(HintSubscriptions hints) {
        try (HintSubscriptions.Subscription probe = hints.subscribe(TestSyncApi.uniqueId("probe"), hint -> {})) {
            probe.ready().join();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
