package dev.courier.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The SDK's conversation calls and the conversation states of sync deltas, against the real system. */
class ConversationsIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(60);

    /** Longer than any wait below: a state that arrives was fetched because of a hint, not a quiet-interval sync. */
    private static final ClientSettings HINTS_ONLY = TestCourier.SETTINGS.withQuietSyncInterval(Duration.ofMinutes(10));

    @Test
    void theSyncListenerGetsTheStatesOfEachDeltaAndAReadOnAnotherDeviceArrivesByHint() throws Exception {
        TestCourier.system();
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Credentials bobsLaptop = new Credentials(bob.userId(), bob.password(), "laptop");
        String conversation = Conversation.directId(alice.userId(), bob.userId());
        Inbox bobsPhone = new Inbox();
        Inbox alicesPhone = new Inbox();
        try (CourierClient alices = client(alice);
                CourierClient bobs = client(bob);
                CourierClient laptop = client(bobsLaptop);
                SyncSubscription bobsSync = bobs.startSync(SyncKeyStore.inMemory(), bobsPhone);
                SyncSubscription alicesSync = alices.startSync(SyncKeyStore.inMemory(), alicesPhone)) {
            await().atMost(DELIVERY).until(() -> bobsSync.streaming() && alicesSync.streaming());
            alices.send("u:" + bob.userId(), "one").get(90, TimeUnit.SECONDS);
            String two = alices.send("u:" + bob.userId(), "two").get(90, TimeUnit.SECONDS);

            await().atMost(DELIVERY).until(() -> bobsPhone.ids().size() == 2);
            assertThat(bobsPhone.messages).extracting(Message::convSeq).containsExactly(1L, 2L);
            await().atMost(DELIVERY)
                    .until(() -> bobsPhone.saw(conversation, state -> state.lastConvSeq() == 2 && state.unread() == 2));
            Conversation unread = bobsPhone.states.stream()
                    .filter(state -> state.conversation().equals(conversation) && state.unread() == 2)
                    .findFirst()
                    .orElseThrow();
            assertThat(unread.lastMessage()).isNotNull();
            assertThat(unread.lastMessage().messageId()).isEqualTo(two);
            assertThat(unread.lastMessage().text()).isEqualTo("two");
            assertThat(unread.readSeq()).isZero();
            assertThat(unread.direct()).isTrue();

            // the laptop reads: no new message for anyone, only changed states, announced by a conversations hint
            assertThat(laptop.markRead(conversation, 2)).isEqualTo(2);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> bobsPhone.saw(conversation, state -> state.readSeq() == 2 && state.unread() == 0));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> alicesPhone.saw(conversation, state -> state.readByPeer(2)));
            assertThat(bobsPhone.ids()).hasSize(2);
            assertThat(alicesPhone.ids()).hasSize(2);
        }
    }

    @Test
    void theChatListPagesNewestFirstAndOneStateCanBeReadMutedAndMarked() throws Exception {
        TestCourier.system();
        Credentials me = TestCourier.newUser("me");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Credentials friend = TestCourier.newUser("friend" + i);
            try (CourierClient friends = client(friend)) {
                friends.send("u:" + me.userId(), "hello " + i).get(90, TimeUnit.SECONDS);
            }
            expected.addFirst(Conversation.directId(me.userId(), friend.userId()));
        }
        try (CourierClient mine = client(me)) {
            await().atMost(DELIVERY).until(() -> mine.conversations().size() == 3);
            assertThat(mine.conversations())
                    .extracting(Conversation::conversation)
                    .containsExactlyElementsOf(expected);
            ConversationPage first = mine.conversations(2, null);
            assertThat(first.conversations())
                    .extracting(Conversation::conversation)
                    .isEqualTo(expected.subList(0, 2));
            assertThat(first.next()).isNotNull();
            ConversationPage second = mine.conversations(2, first.next());
            assertThat(second.conversations())
                    .extracting(Conversation::conversation)
                    .isEqualTo(expected.subList(2, 3));
            assertThat(second.next()).isNull();

            String newest = expected.getFirst();
            Conversation state = mine.conversation(newest);
            assertThat(state.unread()).isEqualTo(1);
            assertThat(state.lastMessage()).isNotNull();
            assertThat(state.lastMessage().text()).isEqualTo("hello 2");

            assertThat(mine.mute(newest, true).muted()).isTrue();
            await().atMost(DELIVERY).until(() -> mine.conversation(newest).muted());
            assertThat(mine.conversation(newest).unread())
                    .as("muted still counts")
                    .isEqualTo(1);

            assertThat(mine.markRead(newest, 1)).isEqualTo(1);
            await().atMost(DELIVERY).until(() -> mine.conversation(newest).unread() == 0);

            assertThatThrownBy(() -> mine.markRead(newest, 2)).isInstanceOfSatisfying(CourierException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.code()).isEqualTo("invalid_request");
                assertThat(e.detail()).startsWith("convSeq:");
            });
            assertThatThrownBy(() -> mine.conversation("g:" + TestCourier.uniqueId("nothing")))
                    .isInstanceOfSatisfying(
                            CourierException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
            assertThatThrownBy(() -> mine.conversations(2, "not-a-cursor"))
                    .isInstanceOfSatisfying(
                            CourierException.class, e -> assertThat(e.code()).isEqualTo("invalid_request"));
            assertThatThrownBy(() -> mine.conversation("u:someone")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void historyScrollsBackThroughEveryMessageAndReceiptsNameWhoRead() throws Exception {
        TestCourier.system();
        Credentials owner = TestCourier.newUser("owner");
        Credentials bob = TestCourier.newUser("bob");
        Credentials carol = TestCourier.newUser("carol");
        try (CourierClient owners = client(owner);
                CourierClient bobs = client(bob);
                CourierClient carols = client(carol)) {
            Group group =
                    owners.createGroup(TestCourier.uniqueId("team"), "Team", List.of(bob.userId(), carol.userId()));
            String conversation = "g:" + group.groupId();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                sent.add(owners.send(conversation, "m" + i).get(90, TimeUnit.SECONDS));
            }
            // the group's first entry is its group.created system message
            await().atMost(DELIVERY).until(() -> bobs.conversation(conversation).lastConvSeq() == 8);

            List<Message> scrolled = new ArrayList<>();
            HistoryPage page = bobs.history(conversation, null, 3);
            scrolled.addAll(0, page.messages());
            while (page.olderBeforeSeq() != null) {
                page = bobs.history(conversation, page.olderBeforeSeq(), 3);
                scrolled.addAll(0, page.messages());
            }
            assertThat(scrolled.getFirst().content()).isEqualTo(new Content.GroupCreated("Team", group.members()));
            assertThat(scrolled.subList(1, scrolled.size()))
                    .extracting(Message::messageId)
                    .containsExactlyElementsOf(sent);
            assertThat(scrolled).extracting(Message::convSeq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(scrolled.get(1).text()).isEqualTo("m0");
            assertThat(scrolled.get(1).from()).isEqualTo(owner.userId());
            assertThat(bobs.history(conversation, 2L, 50).hasMore()).isFalse();

            assertThat(carols.markRead(conversation, 8)).isEqualTo(8);
            await().atMost(DELIVERY).untilAsserted(() -> {
                Receipts receipts = owners.receipts(sent.getLast());
                assertThat(receipts.conversation()).isEqualTo(conversation);
                assertThat(receipts.convSeq()).isEqualTo(8);
                assertThat(receipts.readBy()).containsExactly(carol.userId());
                assertThat(receipts.unreadBy()).containsExactly(bob.userId());
            });
            assertThatThrownBy(() -> bobs.receipts("no-such-message"))
                    .isInstanceOfSatisfying(
                            CourierException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
        }
    }

    private static CourierClient client(Credentials credentials) {
        return CourierClient.builder(TestCourier.gateway(), TestCourier.sync())
                .credentials(credentials)
                .settings(HINTS_ONLY)
                .build();
    }
}
