package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The core path end to end, through the public HTTP APIs, on real Kafka, database and Redis. */
class MessagingIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private final Api api = TestSystem.api();

    @Test
    void deliversDirectMessageToBothUsersAndTheSendersOtherDevice() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Device alicesLaptop = api.deviceOf(api.device(alice.userId(), "laptop"));
        Api.Device bobsPhone = api.deviceOf(bob);

        String first = api.sendOk(alice, "u:" + bob.userId(), "hi bob");
        String second = api.sendOk(bob, "u:" + alice.userId(), "hi alice");

        await().atMost(DELIVERY).untilAsserted(() -> {
            bobsPhone.syncAll();
            assertThat(bobsPhone.messageIds()).containsExactly(first, second);
        });
        await().atMost(DELIVERY).untilAsserted(() -> {
            alicesLaptop.syncAll();
            assertThat(alicesLaptop.messageIds()).containsExactly(first, second);
        });
        JsonNode message = bobsPhone.messages.getFirst();
        String conversation = "d:"
                + (alice.userId().compareTo(bob.userId()) < 0
                        ? alice.userId() + ":" + bob.userId()
                        : bob.userId() + ":" + alice.userId());
        assertThat(message.path("conversation").asString()).isEqualTo(conversation);
        assertThat(message.path("from").asString()).isEqualTo(alice.userId());
        assertThat(message.path("kind").asString()).isEqualTo("text");
        assertThat(message.path("content").asString()).isEqualTo("hi bob");
        assertThat(message.path("sentAt").asString()).endsWith("Z");
        assertThat(message.path("seq").asLong())
                .isLessThan(bobsPhone.messages.get(1).path("seq").asLong());
    }

    @Test
    void fansOutGroupMessagesToEveryOneOfFiftyMembersOnceInSendOrder() {
        Api.Session owner = api.newUser("owner");
        List<Api.Session> members = new ArrayList<>();
        members.add(owner);
        for (int i = 0; i < 49; i++) {
            members.add(api.newUser("m" + i));
        }
        String groupId = Api.uniqueId("team");
        Api.Response created = api.createGroup(
                owner,
                groupId,
                "Team",
                members.subList(1, members.size()).stream()
                        .map(Api.Session::userId)
                        .toList());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.body().path("members")).hasSize(50);

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Api.Session sender = members.get(i * 7 % members.size());
            sent.add(api.sendOk(sender, "g:" + groupId, "message " + i));
        }

        List<Api.Device> devices = members.stream().map(api::deviceOf).toList();
        await().atMost(DELIVERY).untilAsserted(() -> {
            for (Api.Device device : devices) {
                device.syncAll();
                assertThat(device.messageIds()).as(device.session.userId()).containsExactlyElementsOf(sent);
            }
        });
        for (Api.Device device : devices) {
            assertThat(device.messages)
                    .allSatisfy(
                            m -> assertThat(m.path("conversation").asString()).isEqualTo("g:" + groupId));
            assertSeqStrictlyIncreasing(device.messages);
        }
    }

    @Test
    void retriedSendGetsTheSameIdAndIsDeliveredOnce() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Response first = api.send(alice, "retry-1", "u:" + bob.userId(), "once");
        Api.Response immediateRetry = api.send(alice, "retry-1", "u:" + bob.userId(), "once");
        assertThat(first.status()).isEqualTo(202);
        assertThat(immediateRetry.status()).isEqualTo(202);
        assertThat(immediateRetry.body().path("messageId").asString())
                .isEqualTo(first.body().path("messageId").asString());
        assertThat(first.body().path("clientMsgId").asString()).isEqualTo("retry-1");

        Api.Device bobsPhone = api.deviceOf(bob);
        String marker = api.sendOk(alice, "u:" + bob.userId(), "after");
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobsPhone.syncAll();
            assertThat(bobsPhone.messageIds()).contains(marker);
        });
        // a retry long after delivery: same id and acceptance time, nothing new delivered
        Api.Response lateRetry = api.send(alice, "retry-1", "u:" + bob.userId(), "once");
        assertThat(lateRetry.status()).isEqualTo(202);
        assertThat(lateRetry.body().path("messageId").asString())
                .isEqualTo(first.body().path("messageId").asString());
        String lastMarker = api.sendOk(alice, "u:" + bob.userId(), "last");
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobsPhone.syncAll();
            assertThat(bobsPhone.messageIds()).contains(lastMarker);
        });
        assertThat(bobsPhone.messageIds())
                .containsExactly(first.body().path("messageId").asString(), marker, lastMarker);
    }

    @Test
    void membershipChangesAreOrderedWithTheGroupsMessages() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);

        String m1 = api.sendOk(owner, "g:" + groupId, "before carol joined");
        assertThat(api.addMembers(owner, groupId, List.of(carol.userId())).status())
                .isEqualTo(202);
        String m2 = api.sendOk(owner, "g:" + groupId, "carol is in, bob still in");
        Api.Response removed = api.removeMember(owner, groupId, bob.userId());
        assertThat(removed.status()).as(removed.body().toString()).isEqualTo(202);
        String m3 = api.sendOk(owner, "g:" + groupId, "bob is out");

        Api.Device owners = api.deviceOf(owner);
        Api.Device bobs = api.deviceOf(bob);
        Api.Device carols = api.deviceOf(carol);
        await().atMost(DELIVERY).untilAsserted(() -> {
            owners.syncAll();
            assertThat(owners.messageIds()).containsExactly(m1, m2, m3);
        });
        await().atMost(DELIVERY).untilAsserted(() -> {
            carols.syncAll();
            assertThat(carols.messageIds()).containsExactly(m2, m3);
        });
        // m3 is fully expanded; a later direct message to bob travels behind any entry m3 could have had for him
        String marker = api.sendOk(owner, "u:" + bob.userId(), "marker");
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messageIds()).contains(marker);
        });
        assertThat(bobs.messageIds()).containsExactly(m1, m2, marker);
    }

    @Test
    void memberMayLeaveAndThenCannotSend() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        assertThat(api.removeMember(bob, groupId, bob.userId()).status()).isEqualTo(202);
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(api.send(bob, Api.uniqueId("c"), "g:" + groupId, "still here?")
                                .code())
                        .isEqualTo("not_member"));
    }

    @Test
    void retriedSendIsAnsweredWithTheSameAcceptanceTime() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Response first = api.send(alice, "same-time", "u:" + bob.userId(), "x");
        Api.Device bobs = api.deviceOf(bob);
        await().atMost(DELIVERY).untilAsserted(() -> assertThat(bobs.syncAll()).hasSize(1));
        Api.Response retry = api.send(alice, "same-time", "u:" + bob.userId(), "x");
        assertThat(retry.body().path("acceptedAt").asString())
                .isEqualTo(first.body().path("acceptedAt").asString());
        assertThat(bobs.messages.getFirst().path("sentAt").asString())
                .isEqualTo(first.body().path("acceptedAt").asString());
    }

    @Test
    void deliversMediaReferences() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Response sent =
                api.send(alice, "img-1", "u:" + bob.userId(), "image", Api.media("https://cdn/x.png", "image/png", 42));
        assertThat(sent.status()).as(sent.body().toString()).isEqualTo(202);
        Api.Device bobs = api.deviceOf(bob);
        await().atMost(DELIVERY).untilAsserted(() -> {
            bobs.syncAll();
            assertThat(bobs.messages).hasSize(1);
        });
        JsonNode content = bobs.messages.getFirst().path("content");
        assertThat(bobs.messages.getFirst().path("kind").asString()).isEqualTo("image");
        assertThat(content.path("url").asString()).isEqualTo("https://cdn/x.png");
        assertThat(content.path("size").asLong()).isEqualTo(42);
    }

    static void assertSeqStrictlyIncreasing(List<JsonNode> messages) {
        for (int i = 1; i < messages.size(); i++) {
            assertThat(messages.get(i).path("seq").asLong())
                    .isGreaterThan(messages.get(i - 1).path("seq").asLong());
        }
    }
}
