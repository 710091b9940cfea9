package dev.courier.push;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import dev.courier.common.ConversationId;
import dev.courier.common.DeadLetterHeaders;
import dev.courier.common.PushCandidate;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import dev.courier.push.provider.WebhookProvider;
import dev.courier.store.PushTokenRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The push-worker behind the real pipeline with the webhook provider: messages sent into {@code courier.conversations}
 * become inbox rows, candidates and, for each offline device with a token, signed pushes to a local receiver; every
 * rule and failure of PROTOCOL.md, "Pushes to offline devices".
 */
class WebhookPushIntegrationTests {

    /** How long an outage of the provider lasts in {@link #aProviderOutageLosesNoPushThatIsStillDue}. */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("courier.test.outage-seconds", 6));

    private final WebhookReceiver webhook = TestPush.webhook();

    @Test
    void anOfflineDeviceGetsOneSignedPushWithTheContractsExactBodyAndTheSenderGetsNone() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String aliceToken = TestPush.uniqueId("alice-phone");
        String bobPhone = TestPush.uniqueId("bob-phone");
        String bobLaptop = TestPush.uniqueId("bob-laptop");
        TestPush.device(alice, "phone", "webhook", aliceToken);
        TestPush.device(bob, "phone", "webhook", bobPhone);
        TestPush.device(bob, "laptop", "webhook", bobLaptop);

        String messageId = TestPush.send(alice, bob, "hi bob");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(webhook.pushes(bobPhone)).hasSize(1);
            assertThat(webhook.pushes(bobLaptop)).hasSize(1);
        });
        WebhookReceiver.Received push = webhook.pushes(bobPhone).getFirst();
        List<String> fields = new ArrayList<>();
        push.body().propertyNames().forEach(fields::add);
        assertThat(fields).containsExactly("userId", "deviceId", "token", "seq", "badge", "conversation", "messageId");
        assertThat(push.rawBody())
                .isEqualTo("{\"userId\":\"" + bob + "\",\"deviceId\":\"phone\",\"token\":\"" + bobPhone
                        + "\",\"seq\":1,\"badge\":1,\"conversation\":\""
                        + ConversationId.direct(alice, bob).value() + "\",\"messageId\":\"" + messageId + "\"}");
        assertThat(push.signature())
                .isEqualTo(WebhookProvider.signature(
                        TestPush.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8),
                        push.rawBody().getBytes(StandardCharsets.UTF_8)))
                .matches("sha256=[0-9a-f]{64}");
        assertThat(webhook.pushes(bobLaptop).getFirst().body().path("deviceId").asString())
                .isEqualTo("laptop");
        // the sender's own message pushes none of the sender's devices, also after the window
        await().during(TestPush.COALESCE.multipliedBy(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(aliceToken).isEmpty());
    }

    @Test
    void aBurstIsAtMostOnePushPerWindowAndTheLastCarriesTheNewestSeqAndBadge() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("bob-phone");
        TestPush.device(bob, "phone", "webhook", token);

        for (int i = 1; i <= 6; i++) {
            TestPush.send(alice, bob, "burst " + i);
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> !webhook.pushes(token).isEmpty()
                        && webhook.pushes(token).getLast().seq() == 6);
        // nothing more comes once the newest went out
        await().during(TestPush.COALESCE.multipliedBy(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(token).getLast().seq() == 6);
        List<WebhookReceiver.Received> pushes = webhook.pushes(token);
        assertThat(pushes).as("coalesced: fewer pushes than messages").hasSizeLessThan(6);
        assertThat(pushes.getLast().body().path("badge").asLong()).isEqualTo(6);
        for (int i = 1; i < pushes.size(); i++) {
            assertThat(pushes.get(i).at() - pushes.get(i - 1).at())
                    .as("pushes of one device are a window apart (less a little for the network)")
                    .isGreaterThanOrEqualTo(TestPush.COALESCE.toMillis() - 150);
            assertThat(pushes.get(i).seq()).isGreaterThan(pushes.get(i - 1).seq());
        }
    }

    @Test
    void aPushWaitingForItsWindowGoesToTheTokenTheDeviceHasThenAndNeverToOneItReplaced() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String before = TestPush.uniqueId("bob-phone-old");
        String after = TestPush.uniqueId("bob-phone-new");
        TestPush.device(bob, "phone", "webhook", before);
        TestPush.send(alice, bob, "first");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> webhook.pushes(before).size() == 1);

        // within the window of that push: a second message, then the app registers a new token
        TestPush.send(alice, bob, "second");
        await().atMost(Duration.ofSeconds(30)).until(() -> TestPush.inbox(bob).size() == 2);
        TestPush.device(bob, "phone", "webhook", after);

        await().atMost(Duration.ofSeconds(30)).until(() -> webhook.pushes(after).size() == 1);
        assertThat(webhook.pushes(after).getFirst().seq()).isEqualTo(2);
        await().during(TestPush.COALESCE.multipliedBy(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(before).size() == 1);
    }

    @Test
    void aPushWaitingForItsWindowGoesNowhereOnceTheDeviceClearedItsToken() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("bob-phone");
        TestPush.device(bob, "phone", "webhook", token);
        TestPush.send(alice, bob, "first");
        await().atMost(Duration.ofSeconds(30)).until(() -> webhook.pushes(token).size() == 1);

        TestPush.send(alice, bob, "second");
        await().atMost(Duration.ofSeconds(30)).until(() -> TestPush.inbox(bob).size() == 2);
        new PushTokenRepository(TestPush.jdbc()).delete(bob, "phone");

        await().during(TestPush.COALESCE.multipliedBy(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(token).size() == 1);
    }

    @Test
    void noPushWhileTheDeviceHoldsAStreamAndOneOnceItHasNone() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String phone = TestPush.uniqueId("bob-phone");
        String laptop = TestPush.uniqueId("bob-laptop");
        TestPush.device(bob, "phone", "webhook", phone);
        TestPush.device(bob, "laptop", "webhook", laptop);
        TestPush.present(bob, "phone", true);

        TestPush.send(alice, bob, "while the phone is connected");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> webhook.pushes(laptop).size() == 1);
        await().during(TestPush.COALESCE.multipliedBy(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(phone).isEmpty());

        TestPush.present(bob, "phone", false);
        TestPush.send(alice, bob, "after the phone went away");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(webhook.pushes(phone))
                        .singleElement()
                        .satisfies(push -> assertThat(push.seq()).isEqualTo(2)));
    }

    @Test
    void aTokenTheWebhookAnswers410IsRemovedAndPushedNoMore() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("gone");
        TestPush.device(bob, "phone", "webhook", token);
        webhook.answer(token, push -> WebhookReceiver.Answer.of(410));
        double removed = TestPush.count("courier.push.tokens.removed", "provider", "webhook");

        TestPush.send(alice, bob, "to a phone that is gone");

        await().atMost(Duration.ofSeconds(30)).until(() -> TestPush.tokenOf(bob, "phone") == null);
        assertThat(webhook.pushes(token)).hasSize(1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestPush.count("courier.push.tokens.removed", "provider", "webhook") == removed + 1);
        TestPush.send(alice, bob, "again");
        await().atMost(Duration.ofSeconds(30)).until(() -> TestPush.inbox(bob).size() == 2);
        await().during(TestPush.COALESCE.multipliedBy(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(token).size() == 1);
    }

    @Test
    void a429IsRetriedNoSoonerThanItsRetryAfterAndA5xxAgainUntilThePushIsDelivered() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("busy");
        TestPush.device(bob, "phone", "webhook", token);
        webhook.answer(token, push -> switch (webhook.pushes(token).size()) {
            case 1 -> new WebhookReceiver.Answer(429, "2", null);
            case 2 -> WebhookReceiver.Answer.of(503);
            case 3 -> WebhookReceiver.Answer.of(500);
            default -> WebhookReceiver.Answer.of(204);
        });
        double retried = TestPush.count("courier.push.retried", "provider", "webhook");

        TestPush.send(alice, bob, "retry me");

        await().atMost(Duration.ofSeconds(30)).until(() -> webhook.pushes(token).size() == 4);
        List<WebhookReceiver.Received> attempts = webhook.pushes(token);
        assertThat(attempts.get(1).at() - attempts.get(0).at())
                .as("Retry-After: 2 is honoured (the worker's own pause would be 200 ms)")
                .isGreaterThanOrEqualTo(1_900);
        assertThat(attempts).allSatisfy(push -> assertThat(push.seq()).isEqualTo(1));
        assertThat(TestPush.count("courier.push.retried", "provider", "webhook"))
                .as("other tests' retries may count too")
                .isGreaterThanOrEqualTo(retried + 3);
        await().during(TestPush.COALESCE.multipliedBy(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.pushes(token).size() == 4);
    }

    @Test
    void aPushThatExhaustsItsRetriesGoesToTheDeadLetterTopicSayingWhy() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("broken");
        TestPush.device(bob, "phone", "webhook", token);
        webhook.answer(token, push -> WebhookReceiver.Answer.of(503));
        double failed = TestPush.count("courier.push.failed", "provider", "webhook", "reason", "exhausted");
        try (KafkaConsumer<String, String> deadLetters = TestPush.consumerFromEnd(Topics.deadLetter(Topics.PUSH))) {
            String messageId = TestPush.send(alice, bob, "never delivered");

            List<ConsumerRecord<String, String>> letters = new ArrayList<>();
            await().atMost(TestPush.RETRY_BUDGET.plusSeconds(30)).until(() -> {
                TestPush.readToEnd(deadLetters).stream()
                        .filter(record -> bob.equals(record.key()))
                        .forEach(letters::add);
                return !letters.isEmpty();
            });
            ConsumerRecord<String, String> letter = letters.getFirst();
            PushCandidate candidate = Records.decodePush(letter.value());
            assertThat(candidate.messageId()).isEqualTo(messageId);
            assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("unavailable");
            assertThat(header(letter, DeadLetterHeaders.DETAIL)).contains("503", "attempts");
            assertThat(header(letter, DeadLetterHeaders.SOURCE)).startsWith(Topics.PUSH + "/");
            assertThat(header(letter, PushDeadLetters.DEVICE_HEADER)).isEqualTo("phone");
            assertThat(header(letter, PushDeadLetters.PROVIDER_HEADER)).isEqualTo("webhook");
        }
        assertThat(webhook.pushes(token)).hasSizeGreaterThan(3);
        assertThat(TestPush.count("courier.push.failed", "provider", "webhook", "reason", "exhausted"))
                .isGreaterThanOrEqualTo(failed + 1);
        assertThat(TestPush.tokenOf(bob, "phone"))
                .as("a failing provider removes no token")
                .isEqualTo(token);
    }

    @Test
    void aProviderOutageLosesNoPushThatIsStillDue() {
        assertThat(OUTAGE).as("the outage fits the retry budget").isLessThan(TestPush.RETRY_BUDGET);
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("outage");
        TestPush.device(bob, "phone", "webhook", token);
        long outageEnds = System.currentTimeMillis() + OUTAGE.toMillis();
        webhook.answer(token, push -> WebhookReceiver.Answer.of(push.at() < outageEnds ? 503 : 204));
        try (KafkaConsumer<String, String> deadLetters = TestPush.consumerFromEnd(Topics.deadLetter(Topics.PUSH))) {
            TestPush.send(alice, bob, "during the outage 1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !webhook.pushes(token).isEmpty());
            TestPush.send(alice, bob, "during the outage 2");
            TestPush.send(alice, bob, "during the outage 3");

            await().atMost(OUTAGE.plusSeconds(30))
                    .until(() -> webhook.pushes(token).stream()
                            .anyMatch(push -> push.at() >= outageEnds && push.seq() == 3));
            assertThat(webhook.pushes(token).stream().filter(push -> push.at() < outageEnds))
                    .as("tried during the outage")
                    .hasSizeGreaterThan(1);
            assertThat(TestPush.readToEnd(deadLetters).stream().filter(record -> bob.equals(record.key())))
                    .as("nothing was given up")
                    .isEmpty();
        }
    }

    @Test
    void aHangingWebhookDelaysOnlyPushesNeverTheChatPipeline() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String carol = TestPush.person("carol");
        String dave = TestPush.person("dave");
        String token = TestPush.uniqueId("hanging");
        TestPush.device(bob, "phone", "webhook", token);
        CountDownLatch release = new CountDownLatch(1);
        webhook.answer(token, push -> new WebhookReceiver.Answer(204, null, release));
        try {
            TestPush.send(alice, bob, "to the hanging webhook");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !webhook.pushes(token).isEmpty());

            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(TestPush.send(carol, dave, "meanwhile " + i));
                TestPush.send(alice, bob, "more for bob " + i);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(TestPush.inbox(dave)).containsExactlyElementsOf(sent);
                assertThat(TestPush.inbox(bob)).hasSize(21);
            });
            assertThat(release.getCount()).as("the webhook still hangs").isEqualTo(1);
        } finally {
            release.countDown();
        }
        await().atMost(TestPush.RETRY_BUDGET.plusSeconds(30))
                .until(() -> webhook.pushes(token).stream().anyMatch(push -> push.seq() == 21));
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
