package dev.courier.sync;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link HintSubscriptions} against a real Redis that refuses subscriptions (its ACL takes the channels away) or is cut
 * off: what is wanted is subscribed in the end, and nothing that is no longer wanted stays subscribed. In order: each
 * test ends with nothing subscribed, so taking the channels away never makes Redis drop the connection by itself.
 * The last starts subscriptions of its own, with no executor, before Redis was ever reachable.
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

    @Test
    @Order(4)
    void subscriptionsMadeBeforeRedisWasEverReachableAreSubscribedOnceItIs() {
        URI redisUri = URI.create(CourierInfrastructure.shared().redisUrl());
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.initialize();
        try (TcpProxy late = TcpProxy.to(redisUri.getHost(), redisUri.getPort())) {
            late.cut();
            // re-subscriptions run on the thread that tells of a connection: no executor of their own
            HintSubscriptions hints = new HintSubscriptions(
                    "redis://127.0.0.1:" + late.port(), Runnable::run, scheduler, Clock.systemUTC());
            hints.start();
            try {
                String userId = TestSyncApi.uniqueId("u");
                BlockingQueue<HintSubscriptions.Hint> received = new LinkedBlockingQueue<>();
                HintSubscriptions.Subscription subscription = hints.subscribe(userId, received::add);
                assertThat(subscription.ready()).isCompletedExceptionally();
                assertThat(hints.connected()).isFalse();

                late.restore();
                await().atMost(RETRIES).until(() -> TestSyncApi.subscribers(userId) == 1);
                assertThat(hints.connected()).isTrue();
                TestSyncApi.publishInboxHint(userId, 7);
                await().atMost(RETRIES)
                        .untilAsserted(() ->
                                assertThat(received).containsExactly(new HintSubscriptions.Hint(userId, 7, "inbox")));
                TestSyncApi.publishHint(userId, "contacts");
                await().atMost(RETRIES).until(() -> received.size() == 2);
                assertThat(received).last().isEqualTo(new HintSubscriptions.Hint(userId, -1, "contacts"));

                subscription.close();
                await().atMost(RETRIES).until(() -> TestSyncApi.subscribers(userId) == 0);
                assertThat(hints.subscribedUsers()).isZero();
            } finally {
                hints.stop();
                hints.destroy();
            }
        } finally {
            scheduler.destroy();
        }
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
