package dev.courier.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.courier.common.SyncKey;
import dev.courier.common.SyncKeyCodec;
import dev.courier.sync.SyncProperties;
import dev.courier.system.CourierSystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The SDK against the real system, with services stopped and started under it. */
class ReliabilityIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(60);

    private final CourierSystem system = TestCourier.system();

    @Test
    void messagesSentWhileTheSyncApiIsDownArriveOnceAfterItIsBack() throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Inbox inbox = new Inbox();
        try (CourierClient alices = TestCourier.client(alice);
                CourierClient bobs = TestCourier.client(bob);
                SyncSubscription sync = bobs.startSync(SyncKeyStore.inMemory(), inbox)) {
            await().atMost(DELIVERY).until(sync::streaming);
            List<String> sent = new ArrayList<>();
            sent.add(send(alices, "u:" + bob.userId(), "before the outage"));
            await().atMost(DELIVERY).until(() -> inbox.ids().equals(sent));

            system.stop(CourierSystem.SYNC_API);
            try {
                await().atMost(DELIVERY).until(() -> !sync.streaming());
                for (int i = 0; i < 5; i++) {
                    sent.add(send(alices, "u:" + bob.userId(), "during the outage " + i));
                }
            } finally {
                system.start(CourierSystem.SYNC_API);
            }

            await().atMost(DELIVERY).until(() -> inbox.ids().size() >= sent.size());
            await().atMost(DELIVERY).until(sync::streaming);
            sent.add(send(alices, "u:" + bob.userId(), "after the outage"));
            await().atMost(DELIVERY).until(() -> inbox.ids().size() >= sent.size());
            assertThat(inbox.ids()).containsExactlyElementsOf(sent);
            assertSeqIncreasing(inbox.messages);
        }
    }

    @Test
    void aGatewayOutageDuringSendsEndsWithEveryMessageDeliveredOnce() throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Inbox inbox = new Inbox();
        try (CourierClient alices = TestCourier.client(alice);
                CourierClient bobs = TestCourier.client(bob);
                SyncSubscription sync = bobs.startSync(SyncKeyStore.inMemory(), inbox)) {
            List<CompletableFuture<String>> sends = new ArrayList<>();
            sends.add(alices.send("u:" + bob.userId(), "warm-up"));
            sends.getFirst().get(60, TimeUnit.SECONDS);
            IntStream.range(0, 15).forEach(i -> sends.add(alices.send("u:" + bob.userId(), "before " + i)));

            system.stop(CourierSystem.GATEWAY);
            try {
                IntStream.range(0, 15).forEach(i -> sends.add(alices.send("u:" + bob.userId(), "while down " + i)));
                assertThat(sends.subList(16, 31)).noneMatch(CompletableFuture::isDone);
            } finally {
                system.start(CourierSystem.GATEWAY);
            }

            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
            List<String> ids = sends.stream().map(CompletableFuture::join).toList();
            assertThat(ids).doesNotHaveDuplicates();
            await().atMost(DELIVERY).until(() -> inbox.ids().size() >= ids.size());
            // a marker sent last, after every send completed, shows that nothing else is still on its way
            String marker = send(alices, "u:" + bob.userId(), "marker");
            await().atMost(DELIVERY).until(() -> inbox.ids().contains(marker));
            assertThat(inbox.ids())
                    .doesNotHaveDuplicates()
                    .hasSize(ids.size() + 1)
                    .containsAll(ids);
            assertThat(inbox.texts()).contains("warm-up", "before 0", "before 14", "while down 0", "while down 14");
        }
    }

    @Test
    void aClientRestartedFromItsStoredKeyResumesWithoutLossOrRepeats(@TempDir Path state) throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Path keyFile = state.resolve("sync-key");
        try (CourierClient alices = TestCourier.client(alice)) {
            List<String> first = new ArrayList<>();
            Inbox before = new Inbox();
            try (CourierClient bobs = TestCourier.client(bob);
                    SyncSubscription sync = bobs.startSync(SyncKeyStore.file(keyFile), before)) {
                await().atMost(DELIVERY).until(sync::streaming);
                for (int i = 0; i < 3; i++) {
                    first.add(send(alices, "u:" + bob.userId(), "first run " + i));
                }
                await().atMost(DELIVERY).until(() -> before.ids().size() >= first.size());
            }
            assertThat(before.ids()).containsExactlyElementsOf(first);

            List<String> second = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                second.add(send(alices, "u:" + bob.userId(), "while bob is away " + i));
            }
            Inbox after = new Inbox();
            try (CourierClient bobs = TestCourier.client(bob);
                    SyncSubscription sync = bobs.startSync(SyncKeyStore.file(keyFile), after)) {
                await().atMost(DELIVERY).until(() -> after.ids().size() >= second.size());
                second.add(send(alices, "u:" + bob.userId(), "after the restart"));
                await().atMost(DELIVERY).until(() -> after.ids().size() >= second.size());
            }
            assertThat(after.ids()).containsExactlyElementsOf(second);
            assertThat(after.resyncs).hasValue(0);
        }
    }

    @Test
    void aKeyFromAnotherEpochOfTheStoreMakesTheListenerResyncAndContinue(@TempDir Path state) throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        SyncKeyStore store = SyncKeyStore.file(state.resolve("sync-key"));
        try (CourierClient alices = TestCourier.client(alice);
                CourierClient bobs = TestCourier.client(bob)) {
            String hello = send(alices, "u:" + bob.userId(), "hello");
            Inbox first = new Inbox();
            try (SyncSubscription sync = bobs.startSync(store, first)) {
                await().atMost(DELIVERY).until(() -> first.ids().contains(hello));
            }
            // the store behind the sync-api was reset since this key was issued: its positions mean nothing now
            SyncKeyCodec codec = new SyncKeyCodec(SyncProperties.DEVELOPMENT_SECRET);
            SyncKey key = codec.decode(store.load().orElseThrow(), bob.userId());
            store.save(codec.encode(new SyncKey(bob.userId(), key.epoch() + 1, 0, 0, key.messageSeq() + 1000)));

            Inbox inbox = new Inbox();
            try (SyncSubscription sync = bobs.startSync(store, inbox)) {
                await().atMost(DELIVERY).until(() -> inbox.ids().contains(hello));
                assertThat(inbox.resyncs).hasValue(1);
                String next = send(alices, "u:" + bob.userId(), "next");
                await().atMost(DELIVERY).until(() -> inbox.ids().contains(next));
                assertThat(inbox.ids()).containsExactly(hello, next);
                assertThat(inbox.resyncs).hasValue(1);
            }
        }
    }

    @Test
    void aRefusedTokenIsReplacedByLoggingInAgainOnBothLinks() throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        AccessToken bogus = new AccessToken("not-a-token", java.time.Instant.parse("2099-01-01T00:00:00Z"));
        Inbox inbox = new Inbox();
        try (CourierClient alices = CourierClient.builder(TestCourier.gateway(), TestCourier.sync())
                        .credentials(alice)
                        .token(bogus)
                        .settings(TestCourier.SETTINGS)
                        .build();
                CourierClient bobs = CourierClient.builder(TestCourier.gateway(), TestCourier.sync())
                        .credentials(bob)
                        .token(bogus)
                        .settings(TestCourier.SETTINGS)
                        .build();
                SyncSubscription sync = bobs.startSync(SyncKeyStore.inMemory(), inbox)) {
            String sent = send(alices, "u:" + bob.userId(), "through a fresh login");
            await().atMost(DELIVERY).until(() -> inbox.ids().contains(sent));
            await().atMost(DELIVERY).until(sync::streaming);
        }
    }

    @Test
    void linksThatGoSilentAreDetectedAndSendingAndSyncingCarryOn() throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Inbox inbox = new Inbox();
        ClientSettings twitchy = TestCourier.SETTINGS
                .withFirstResponseTimeout(Duration.ofSeconds(1))
                .withHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withLongPollWait(Duration.ofSeconds(2))
                .withSendTimeout(Duration.ofSeconds(30));
        try (SilencingProxy gateway = new SilencingProxy(system.gatewayPort());
                SilencingProxy sync = new SilencingProxy(system.syncPort());
                CourierClient alices = CourierClient.builder(gateway.uri(), sync.uri())
                        .credentials(alice)
                        .settings(twitchy)
                        .build();
                CourierClient bobs = CourierClient.builder(gateway.uri(), sync.uri())
                        .credentials(bob)
                        .settings(twitchy)
                        .build();
                SyncSubscription subscription = bobs.startSync(SyncKeyStore.inMemory(), inbox)) {
            String first = send(alices, "u:" + bob.userId(), "before the silence");
            await().atMost(DELIVERY).until(() -> inbox.ids().contains(first));
            await().atMost(DELIVERY).until(() -> gateway.webSocketHandshakes() > 0 && subscription.streaming());
            int gatewayHandshakes = gateway.webSocketHandshakes();
            int streamHandshakes = sync.webSocketHandshakes();

            // the network drops every open connection without a word: no close, no reset, no bytes
            gateway.silenceOpenConnections();
            sync.silenceOpenConnections();
            String second = send(alices, "u:" + bob.userId(), "after the silence");

            await().atMost(DELIVERY).until(() -> inbox.ids().contains(second));
            assertThat(inbox.ids()).containsExactly(first, second);
            // both long links noticed (no ack, no pong) and were opened anew
            await().atMost(DELIVERY).untilAsserted(() -> {
                assertThat(gateway.webSocketHandshakes())
                        .as("gateway handshakes")
                        .isGreaterThan(gatewayHandshakes);
                assertThat(sync.webSocketHandshakes()).as("stream handshakes").isGreaterThan(streamHandshakes);
                assertThat(subscription.streaming()).as("streaming").isTrue();
            });
        }
    }

    @Test
    void heartbeatsAreAnsweredSoTheStreamStaysUp() throws Exception {
        Credentials bob = TestCourier.newUser("bob");
        Inbox inbox = new Inbox();
        ClientSettings eager = TestCourier.SETTINGS
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(1))
                .withFirstResponseTimeout(Duration.ofMillis(800));
        try (CourierClient bobs = CourierClient.builder(TestCourier.gateway(), TestCourier.sync())
                        .credentials(bob)
                        .settings(eager)
                        .build();
                SyncSubscription sync = bobs.startSync(SyncKeyStore.inMemory(), inbox)) {
            await().atMost(DELIVERY).until(sync::streaming);
            // an unanswered ping would drop the connection within 0.5 s + 0.8 s, again and again
            await().during(Duration.ofSeconds(4))
                    .atMost(Duration.ofSeconds(6))
                    .pollInterval(Duration.ofMillis(50))
                    .until(sync::streaming);
        }
    }

    @Test
    void groupMessagesReachEveryMemberThroughTheSdk() throws Exception {
        Credentials owner = TestCourier.newUser("owner");
        Credentials member = TestCourier.newUser("member");
        Inbox inbox = new Inbox();
        try (CourierClient owners = TestCourier.client(owner);
                CourierClient members = TestCourier.client(member);
                SyncSubscription sync = members.startSync(SyncKeyStore.inMemory(), inbox)) {
            Group group = owners.createGroup(TestCourier.uniqueId("team"), "Team", List.of(member.userId()));
            assertThat(group.members()).containsExactlyInAnyOrder(owner.userId(), member.userId());
            String text = send(owners, "g:" + group.groupId(), "hello team");
            String image = owners.send(
                            "g:" + group.groupId(),
                            Content.media("image", "https://cdn.example/team.png", "image/png", 2048))
                    .get(60, TimeUnit.SECONDS);
            // the group's first entry is its system message group.created
            await().atMost(DELIVERY).until(() -> inbox.sentIds().size() >= 2);
            assertThat(inbox.sentIds()).containsExactly(text, image);
            Message received = inbox.messages.stream()
                    .filter(m -> m.messageId().equals(image))
                    .findFirst()
                    .orElseThrow();
            assertThat(received.conversation()).isEqualTo("g:" + group.groupId());
            assertThat(received.from()).isEqualTo(owner.userId());
            assertThat(received.content())
                    .isEqualTo(Content.media("image", "https://cdn.example/team.png", "image/png", 2048));
        }
    }

    private static String send(CourierClient client, String to, String text) throws Exception {
        return client.send(to, text).get(90, TimeUnit.SECONDS);
    }

    private static void assertSeqIncreasing(List<Message> messages) {
        for (int i = 1; i < messages.size(); i++) {
            assertThat(messages.get(i).seq()).isGreaterThan(messages.get(i - 1).seq());
        }
    }
}
