package dev.courier.push;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.courier.common.ConversationId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * APNs against Pushy's own mock server (which checks the provider token, the topic and the device token) and FCM
 * against a local HTTP v1 endpoint and token endpoint (which check the signed grant, the bearer token and the body).
 */
class ApnsAndFcmPushIntegrationTests {

    private final MockApns apns = TestPush.apns();

    private final FakeFcm fcm = TestPush.fcm();

    @Test
    void apnsGetsAnAlertWithTheBadgeAndNoContentSignedWithTheTeamsKey() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = deviceToken();
        apns.register(token);
        TestPush.device(bob, "iphone", "apns", token);

        String first = TestPush.send(alice, bob, "secret text one");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> apns.notifications(token).size() == 1);
        MockApns.Notification notification = apns.notifications(token).getFirst();
        assertThat(notification.rejection()).isNull();
        assertThat(notification.payload().path("aps").path("badge").asInt()).isEqualTo(1);
        assertThat(notification.payload().path("aps").path("alert").path("body").asString())
                .isEqualTo("New message");
        assertThat(notification.payload().toString()).doesNotContain("secret text");
        assertThat(notification.payload().path("seq").asLong()).isEqualTo(1);
        assertThat(notification.payload().path("messageId").asString()).isEqualTo(first);
        assertThat(notification.payload().path("conversation").asString())
                .isEqualTo(ConversationId.direct(alice, bob).value());
    }

    @Test
    void apnsUnregisteredBadDeviceTokenAndDeviceTokenNotForTopicRemoveTheToken() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String expired = deviceToken();
        String unknown = deviceToken();
        String malformed = "not-a-device-token-" + TestPush.uniqueId("x");
        apns.expire(expired);
        TestPush.device(bob, "old-iphone", "apns", expired);
        TestPush.device(bob, "other-iphone", "apns", unknown);
        TestPush.device(bob, "bad-iphone", "apns", malformed);
        double removed = TestPush.count("courier.push.tokens.removed", "provider", "apns");

        TestPush.send(alice, bob, "to phones that are gone");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(TestPush.tokenOf(bob, "old-iphone")).isNull();
            assertThat(TestPush.tokenOf(bob, "other-iphone")).isNull();
            assertThat(TestPush.tokenOf(bob, "bad-iphone")).isNull();
        });
        assertThat(apns.notifications(expired))
                .singleElement()
                .satisfies(n -> assertThat(n.rejection()).isEqualTo("UNREGISTERED"));
        assertThat(apns.notifications(unknown))
                .singleElement()
                .satisfies(n -> assertThat(n.rejection()).isEqualTo("DEVICE_TOKEN_NOT_FOR_TOPIC"));
        // the mock answers a malformed token like an unknown one (APNs itself: BadDeviceToken, see ApnsOutcomeTests)
        assertThat(apns.notifications(malformed))
                .singleElement()
                .satisfies(n -> assertThat(n.rejection()).isNotNull());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestPush.count("courier.push.tokens.removed", "provider", "apns") == removed + 3);
    }

    @Test
    void fcmGetsAMessageWithTheDataAndTheBadgeUnderAnAccessTokenOfTheServiceAccount() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("fcm-registration");
        TestPush.device(bob, "android", "fcm", token);

        String messageId = TestPush.send(alice, bob, "secret text two");

        await().atMost(Duration.ofSeconds(30)).until(() -> fcm.messages(token).size() == 1);
        var message = fcm.messages(token).getFirst().message();
        assertThat(message.path("data").path("seq").asString()).isEqualTo("1");
        assertThat(message.path("data").path("badge").asString()).isEqualTo("1");
        assertThat(message.path("data").path("messageId").asString()).isEqualTo(messageId);
        assertThat(message.path("data").path("conversation").asString())
                .isEqualTo(ConversationId.direct(alice, bob).value());
        assertThat(message.path("apns")
                        .path("payload")
                        .path("aps")
                        .path("badge")
                        .asInt())
                .isEqualTo(1);
        assertThat(message.has("notification")).as("no content without preview").isFalse();
        assertThat(message.toString()).doesNotContain("secret text");
        assertThat(fcm.grants()).isPositive();
        assertThat(fcm.refusals()).isEmpty();
    }

    @Test
    void fcmUnregisteredRemovesTheToken() {
        String alice = TestPush.person("alice");
        String bob = TestPush.person("bob");
        String token = TestPush.uniqueId("fcm-gone");
        fcm.unregister(token);
        TestPush.device(bob, "android", "fcm", token);
        double removed = TestPush.count("courier.push.tokens.removed", "provider", "fcm");

        TestPush.send(alice, bob, "to an uninstalled app");

        await().atMost(Duration.ofSeconds(30)).until(() -> TestPush.tokenOf(bob, "android") == null);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestPush.count("courier.push.tokens.removed", "provider", "fcm") == removed + 1);
        assertThat(fcm.refusals()).isEmpty();
    }

    /** A device token as APNs issues them: 32 bytes in lower-case hex. */
    private static String deviceToken() {
        byte[] bytes = new byte[32];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
