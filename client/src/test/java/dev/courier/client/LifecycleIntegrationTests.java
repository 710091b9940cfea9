package dev.courier.client;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Replies, recall, edit, delete for me and reactions through the SDK, against the real system. */
class LifecycleIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @Test
    void repliesGoOverTheWebSocketAndByRestAndReachTheListenerWithTheirTarget() throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Inbox alicesPhone = new Inbox();
        try (SilencingProxy gateway = new SilencingProxy(TestCourier.system().gatewayPort());
                CourierClient alices = TestCourier.client(alice);
                CourierClient bobs = CourierClient.builder(gateway.uri(), TestCourier.sync())
                        .credentials(bob)
                        .settings(TestCourier.SETTINGS)
                        .build();
                CourierClient bobsRest = CourierClient.builder(gateway.uri(), TestCourier.sync())
                        .credentials(new Credentials(bob.userId(), bob.password(), "laptop"))
                        .settings(TestCourier.SETTINGS.withGatewaySocket(false))
                        .build();
                SyncSubscription sync = alices.startSync(SyncKeyStore.inMemory(), alicesPhone)) {
            await().atMost(DELIVERY).until(sync::streaming);
            bobs.send("u:" + alice.userId(), "hi").get(90, TimeUnit.SECONDS);
            await().atMost(DELIVERY).until(bobs::sendingOverSocket);
            String question = alices.send("u:" + bob.userId(), "coffee?").get(90, TimeUnit.SECONDS);

            // at once: the question may not be stored yet, and the reply waits for it
            int restBefore = gateway.restSends();
            String overSocket =
                    bobs.reply("u:" + alice.userId(), question, "yes").get(90, TimeUnit.SECONDS);
            assertThat(gateway.restSends()).as("sent over the WebSocket").isEqualTo(restBefore);
            String byRest = bobsRest.send(
                            CourierClient.newClientMsgId(), "u:" + alice.userId(), Content.text("at 9?"), question)
                    .get(90, TimeUnit.SECONDS);
            assertThat(gateway.restSends()).as("sent by REST").isGreaterThan(restBefore);

            await().atMost(DELIVERY).until(() -> alicesPhone.ids().containsAll(List.of(overSocket, byRest)));
            assertThat(message(alicesPhone, overSocket).replyTo()).isEqualTo(question);
            assertThat(message(alicesPhone, byRest).replyTo()).isEqualTo(question);
            assertThat(message(alicesPhone, question).replyTo()).isNull();
            String conversation = Conversation.directId(alice.userId(), bob.userId());
            await().atMost(DELIVERY)
                    .until(() ->
                            alices.history(conversation, null, 50).messages().size() == 4);
            assertThat(alices.history(conversation, null, 50).messages())
                    .extracting(Message::replyTo)
                    .containsExactly(null, null, question, question);

            String elsewhere = alices.send("u:" + TestCourier.newUser("carol").userId(), "hi carol")
                    .get(90, TimeUnit.SECONDS);
            try (CourierClient brief = CourierClient.builder(TestCourier.gateway(), TestCourier.sync())
                    .credentials(bob)
                    .settings(TestCourier.SETTINGS.withTargetWait(Duration.ofSeconds(1)))
                    .build()) {
                assertThatThrownBy(() -> brief.reply("u:" + alice.userId(), elsewhere, "not yours")
                                .get(90, TimeUnit.SECONDS))
                        .cause()
                        .isInstanceOfSatisfying(CourierException.class, e -> {
                            assertThat(e.status()).isEqualTo(400);
                            assertThat(e.detail()).startsWith("replyTo:");
                        });
            }
        }
    }

    @Test
    void changesReachEveryoneWhoSawTheMessageAsEntriesAndHistoryShowsTheCurrentState() throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        String conversation = Conversation.directId(alice.userId(), bob.userId());
        Inbox bobsPhone = new Inbox();
        Inbox alicesPhone = new Inbox();
        try (CourierClient alices = TestCourier.client(alice);
                CourierClient bobs = TestCourier.client(bob);
                SyncSubscription bobsSync = bobs.startSync(SyncKeyStore.inMemory(), bobsPhone);
                SyncSubscription alicesSync = alices.startSync(SyncKeyStore.inMemory(), alicesPhone)) {
            String plan = alices.send("u:" + bob.userId(), "see you at 8").get(90, TimeUnit.SECONDS);
            // at once: a change of a message accepted a moment ago waits until it is stored
            Instant edited = alices.edit(plan, "see you at 9");
            String oops = alices.send("u:" + bob.userId(), "oops, wrong chat").get(90, TimeUnit.SECONDS);
            String noise = alices.send("u:" + bob.userId(), "spam").get(90, TimeUnit.SECONDS);
            alices.recall(oops);
            bobs.react(plan, "👍");
            bobs.react(plan, "🎉");
            bobs.react(plan, "👍"); // again: changes nothing, makes no entry
            bobs.unreact(plan, "🎉");
            bobs.deleteForMe(noise);

            await().atMost(DELIVERY)
                    .until(() -> bobsPhone.messages.stream()
                                    .filter(Message::isChange)
                                    .count()
                            == 6);
            assertThat(bobsPhone.messages.stream().filter(Message::isChange).map(Message::content))
                    .containsExactly(
                            new Content.Edit(plan, "see you at 9"),
                            new Content.Recall(oops),
                            new Content.Reaction(plan, "👍", true),
                            new Content.Reaction(plan, "🎉", true),
                            new Content.Reaction(plan, "🎉", false),
                            new Content.Delete(noise));
            Map<String, Message> bobsView = view(bobsPhone);
            assertThat(bobsView.get(plan).text()).isEqualTo("see you at 9");
            assertThat(bobsView.get(plan).editedAt()).isEqualTo(edited);
            assertThat(bobsView.get(plan).reactions()).containsExactly(Map.entry("👍", List.of(bob.userId())));
            assertThat(bobsView.get(oops).recalled()).isTrue();
            assertThat(bobsView).doesNotContainKey(noise);
            Message recall = message(
                    bobsPhone,
                    bobsPhone.messages.stream()
                            .filter(m -> m.content() instanceof Content.Recall)
                            .findFirst()
                            .orElseThrow()
                            .messageId());
            assertThat(recall.from()).isEqualTo(alice.userId());
            assertThat(recall.convSeq()).isPositive();
            // alice's devices see the same changes, but not bob's delete
            await().atMost(DELIVERY)
                    .until(() -> alicesPhone.messages.stream()
                                    .filter(Message::isChange)
                                    .count()
                            == 5);
            assertThat(view(alicesPhone)).containsKey(noise);

            // history: the current state, reactions included; what bob deleted is gone for him only
            await().atMost(DELIVERY)
                    .untilAsserted(() -> assertThat(
                                    bobs.history(conversation, null, 50).messages())
                            .extracting(Message::messageId)
                            .containsExactly(plan, oops));
            List<Message> history = bobs.history(conversation, null, 50).messages();
            assertThat(history.get(0).text()).isEqualTo("see you at 9");
            assertThat(history.get(0).editedAt()).isEqualTo(edited);
            assertThat(history.get(0).reactions()).containsExactly(Map.entry("👍", List.of(bob.userId())));
            assertThat(history.get(1).content()).isEqualTo(new Content.Recalled("text"));
            assertThat(alices.history(conversation, null, 50).messages())
                    .extracting(Message::messageId)
                    .containsExactly(plan, oops, noise);
            // of bob's three, only the plan counts: the recalled message and the one he deleted do not
            await().atMost(DELIVERY)
                    .untilAsserted(() ->
                            assertThat(bobs.conversation(conversation).unread()).isEqualTo(1));
        }
    }

    @Test
    void everyRefusalIsACourierExceptionWithItsCode() throws Exception {
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Credentials eve = TestCourier.newUser("eve");
        ClientSettings brief = TestCourier.SETTINGS.withTargetWait(Duration.ofSeconds(1));
        try (CourierClient alices = TestCourier.client(alice);
                CourierClient bobs = TestCourier.client(bob);
                CourierClient eves = CourierClient.builder(TestCourier.gateway(), TestCourier.sync())
                        .credentials(eve)
                        .settings(brief)
                        .build()) {
            String text = alices.send("u:" + bob.userId(), "mine").get(90, TimeUnit.SECONDS);
            String picture = alices.send(
                            "u:" + bob.userId(), Content.media("image", "https://cdn.example/a.png", "image/png", 9))
                    .get(90, TimeUnit.SECONDS);
            alices.react(picture, "👀"); // waits until both are stored

            refused(() -> bobs.recall(text), 403, "forbidden");
            refused(() -> bobs.edit(text, "hijacked"), 403, "forbidden");
            refused(() -> alices.edit(picture, "a caption"), 400, "invalid_request");
            refused(() -> alices.edit(text, "x".repeat(16_385)), 413, "payload_too_large");
            refused(() -> bobs.react(text, "two words"), 400, "invalid_request");
            refused(() -> eves.react(text, "👍"), 404, "not_found");
            refused(() -> eves.recall("m-no-such-message"), 404, "not_found");
            alices.recall(text);
            await().atMost(DELIVERY)
                    .until(() -> alices.history(Conversation.directId(alice.userId(), bob.userId()), null, 50)
                            .messages()
                            .getFirst()
                            .recalled());
            refused(() -> alices.edit(text, "again"), 409, "conflict");
            assertThat(alices.recall(text)).as("a second recall is harmless").isNotNull();
        }
    }

    /** The messages of an inbox with every entry applied, and deleted ones left out: what a chat would show. */
    private static Map<String, Message> view(Inbox inbox) {
        Map<String, Message> view = new LinkedHashMap<>();
        for (Message message : inbox.messages) {
            if (message.content() instanceof Content.Delete delete) {
                view.remove(delete.target());
            } else if (message.isChange()) {
                view.computeIfPresent(message.target(), (id, held) -> held.apply(message));
            } else {
                view.put(message.messageId(), message);
            }
        }
        return view;
    }

    private static Message message(Inbox inbox, String messageId) {
        Optional<Message> found = inbox.messages.stream()
                .filter(m -> m.messageId().equals(messageId))
                .findFirst();
        return found.orElseThrow();
    }

    private static void refused(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(CourierException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
        });
    }
}
