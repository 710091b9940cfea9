package dev.courier.sync;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Long polls ({@link LongPolls}) when Redis never confirms their subscription and when a look at the database fails. */
class LongPollsIntegrationTests {

    @AfterEach
    void serversBack() {
        TestSyncApi.database().restore();
        TestSyncApi.redis().restore();
    }

    @Test
    void longPollWhoseSubscriptionRedisNeverConfirmsAnswersAtItsTimeout() {
        String userId = TestSyncApi.uniqueId("u");
        String token = TestSyncApi.newUser(userId);
        String key = TestSyncApi.firstSyncKey(token);
        await().until(TestSyncApi.hints()::connected);
        // Redis holds every command, the subscription's included, for longer than the poll waits
        TestSyncApi.redisDirect().clientPause(6_000);

        TestSyncApi.Answer answer = TestSyncApi.sync(token, key, 1_500);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().path("syncKey").asString()).isEqualTo(key);
        assertThat(answer.body().path("messages")).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> TestSyncApi.subscribers(userId) == 0);
    }

    @Test
    void failedLookIsLoggedAndCountedAndThePollKeepsWaitingUntilItsTimeout() {
        String userId = TestSyncApi.uniqueId("u");
        String token = TestSyncApi.newUser(userId);
        String key = TestSyncApi.firstSyncKey(token);
        await().until(TestSyncApi.hints()::connected);
        MeterRegistry meters = TestSyncApi.context().getBean(MeterRegistry.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LongPolls.class);
        logger.addAppender(log);
        try {
            CompletableFuture<TestSyncApi.Answer> poll =
                    CompletableFuture.supplyAsync(() -> TestSyncApi.sync(token, key, 6_000));
            await().until(() -> TestSyncApi.subscribers(userId) == 1);
            TestSyncApi.database().cut();
            // a hint wakes the poll; its look at the database fails
            TestSyncApi.publishInboxHint(userId, 1);

            await().atMost(Duration.ofSeconds(10)).until(() -> failedLooks(meters) > 0);
            assertThat(poll).as("still waiting after the failed look").isNotDone();
            assertThat(log.list).anySatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getThrowableProxy()).isNotNull();
            });
            // the database is still down when the wait runs out: the poll answers, 503
            TestSyncApi.Answer answer = poll.join();
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.body().path("code").asString()).isEqualTo("unavailable");
        } finally {
            logger.detachAppender(log);
        }
    }

    private static double failedLooks(MeterRegistry meters) {
        return meters.find("courier.sync.long_poll.failures").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
