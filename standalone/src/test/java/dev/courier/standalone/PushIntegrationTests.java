package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.ConversationId;
import dev.courier.common.Presence;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;

import static dev.courier.testinfra.client.Socket.hintReaching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pushes through the whole system: a token set at the gateway, presence told by the sync-api's stream, the candidate
 * from the fanout-worker's inbox commit, the push-worker's signed webhook POST to a receiver of our own. The rules
 * and failures one by one are the push-worker's component tests; here the services meet, and a failing provider is
 * shown not to hold up chat.
 */
class PushIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static RedisClient redisClient;

    private static StatefulRedisConnection<String, String> redis;

    private final Api api = TestSystem.api();

    private final WebhookReceiver webhook = TestSystem.webhook();

    @BeforeAll
    static void connectToRedis() {
        TestSystem.get();
        redisClient = RedisClient.create(CourierInfrastructure.shared().redisUrl());
        redis = redisClient.connect();
    }

    @AfterAll
    static void disconnectFromRedis() {
        redis.close();
        redisClient.shutdown();
    }

    @Test
    void theStandaloneSystemRunsThePushWorkerOnceItsWebhookIsSet() {
        assertThat(TestSystem.get().hasPushWorker()).isTrue();
    }

    @Test
    void aDeviceWithoutAStreamGetsASignedPushAndNoneWhileItsStreamIsOpen() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String alicesToken = Api.uniqueId("alice-phone");
        String bobsToken = Api.uniqueId("bob-phone");
        assertThat(api.setPushToken(alice, "webhook", alicesToken).status()).isEqualTo(204);
        assertThat(api.setPushToken(bob, "webhook", bobsToken).status()).isEqualTo(204);
        String presence = Presence.key(bob.userId(), bob.deviceId());

        try (Socket stream = Socket.connect(streamUrl(), bob.token())) {
            await().atMost(DELIVERY).until(() -> redis.sync().exists(presence) == 1);
            api.sendOk(alice, "u:" + bob.userId(), "while bob's app is open");
            stream.awaitFrame(hintReaching(1), DELIVERY);
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> webhook.pushes(bobsToken).isEmpty());
        }
        await().atMost(DELIVERY).until(() -> redis.sync().exists(presence) == 0);

        String second = api.sendOk(alice, "u:" + bob.userId(), "once bob's app is closed");
        await().atMost(DELIVERY).until(() -> !webhook.pushes(bobsToken).isEmpty());
        WebhookReceiver.Received push = webhook.pushes(bobsToken).getFirst();
        assertThat(push.signed()).isTrue();
        assertThat(push.body().propertyNames())
                .containsExactly("userId", "deviceId", "token", "seq", "badge", "conversation", "messageId");
        assertThat(push.body().path("userId").asString()).isEqualTo(bob.userId());
        assertThat(push.body().path("deviceId").asString()).isEqualTo(bob.deviceId());
        assertThat(push.seq()).isEqualTo(2);
        assertThat(push.body().path("badge").asLong()).isEqualTo(2);
        assertThat(push.body().path("conversation").asString())
                .isEqualTo(ConversationId.direct(alice.userId(), bob.userId()).value());
        assertThat(push.body().path("messageId").asString()).isEqualTo(second);
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(bobsToken).size() == 1
                        && webhook.pushes(alicesToken).isEmpty());
    }

    @Test
    void aWebhookThatAnswers500OrHangsNeverDelaysSendsInboxesOrSyncs() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        Api.Session dave = api.newUser("dave");
        String failing = Api.uniqueId("failing");
        String hanging = Api.uniqueId("hanging");
        webhook.answer(failing, 500);
        CountDownLatch release = new CountDownLatch(1);
        webhook.hang(hanging, release);
        assertThat(api.setPushToken(bob, "webhook", failing).status()).isEqualTo(204);
        assertThat(api.setPushToken(carol, "webhook", hanging).status()).isEqualTo(204);
        try {
            api.sendOk(alice, "u:" + bob.userId(), "to the failing webhook");
            api.sendOk(alice, "u:" + carol.userId(), "to the hanging webhook");
            await().atMost(DELIVERY)
                    .until(() -> webhook.pushes(failing).size() > 1
                            && !webhook.pushes(hanging).isEmpty());

            List<String> toBob = new ArrayList<>();
            List<String> toCarol = new ArrayList<>();
            List<String> toDave = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                toBob.add(api.sendOk(alice, "u:" + bob.userId(), "bob " + i));
                toCarol.add(api.sendOk(alice, "u:" + carol.userId(), "carol " + i));
                toDave.add(api.sendOk(alice, "u:" + dave.userId(), "dave " + i));
            }
            Api.Device bobs = api.deviceOf(bob);
            Api.Device carols = api.deviceOf(carol);
            Api.Device daves = api.deviceOf(dave);
            await().atMost(DELIVERY).untilAsserted(() -> {
                bobs.syncAll();
                carols.syncAll();
                daves.syncAll();
                assertThat(bobs.messageIds()).hasSize(11).containsAll(toBob);
                assertThat(carols.messageIds()).hasSize(11).containsAll(toCarol);
                assertThat(daves.messageIds()).containsExactlyElementsOf(toDave);
            });
            assertThat(release.getCount()).as("the webhook still hangs").isEqualTo(1);
            assertThat(webhook.pushes(failing))
                    .as("the failing webhook was only ever answered 500")
                    .allSatisfy(push -> assertThat(push.signed()).isTrue());
        } finally {
            release.countDown();
            webhook.answer(failing, 204);
        }
    }

    private String streamUrl() {
        return api.sync.replace("http://", "ws://") + "/v1/stream";
    }
}
