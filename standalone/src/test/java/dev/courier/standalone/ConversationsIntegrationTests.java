package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.courier.testinfra.client.Api;
import dev.courier.testinfra.client.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Conversations through the public API (PROTOCOL.md, "Conversations"): every message numbered in its conversation,
 * each user's state with its exact unread count, read marking on any device and the read receipt, mutes, the chat
 * list, history for any device, and receipts in groups.
 */
class ConversationsIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private final Api api = TestSystem.api();

    private static String direct(Api.Session one, Api.Session other) {
        return one.userId().compareTo(other.userId()) < 0
                ? "d:" + one.userId() + ":" + other.userId()
                : "d:" + other.userId() + ":" + one.userId();
    }

    /** The ids of the messages people sent among these (not the system messages of a group). */
    private static List<String> sent(JsonNode messages) {
        List<String> ids = new ArrayList<>();
        messages.forEach(m -> {
            if (!m.path("kind").asString().equals("system")) {
                ids.add(m.path("messageId").asString());
            }
        });
        return ids;
    }

    /** The caller's state of the conversation once {@code check} holds for it. */
    private JsonNode stateOnce(Api.Session session, String conversation, java.util.function.Predicate<JsonNode> check) {
        List<JsonNode> seen = new ArrayList<>(1);
        await().atMost(DELIVERY).untilAsserted(() -> {
            Api.Response response = api.conversation(session, conversation);
            assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
            assertThat(check.test(response.body()))
                    .as(response.body().toString())
                    .isTrue();
            seen.add(response.body());
        });
        return seen.getLast();
    }

    @Test
    void directMessagesAreNumberedAndCountAsUnreadForTheRecipientOnly() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);
        List<String> sent = List.of(
                api.sendOk(alice, "u:" + bob.userId(), "one"),
                api.sendOk(alice, "u:" + bob.userId(), "two"),
                api.sendOk(alice, "u:" + bob.userId(), "three"));

        JsonNode bobs =
                stateOnce(bob, conversation, state -> state.path("lastConvSeq").asLong() == 3);
        assertThat(bobs.path("unread").asInt()).isEqualTo(3);
        assertThat(bobs.path("readSeq").asLong()).isZero();
        // sending marks read for the sender: alice has read up to her last message, and that is bob's receipt
        assertThat(bobs.path("peerReadSeq").asLong()).isEqualTo(3);
        assertThat(bobs.path("muted").asBoolean()).isFalse();
        assertThat(bobs.path("lastMessage").path("messageId").asString()).isEqualTo(sent.get(2));
        assertThat(bobs.path("lastMessage").path("convSeq").asLong()).isEqualTo(3);
        assertThat(bobs.path("lastMessage").path("content").asString()).isEqualTo("three");
        JsonNode alices = stateOnce(
                alice, conversation, state -> state.path("lastConvSeq").asLong() == 3);
        assertThat(alices.path("unread").asInt()).isZero();
        assertThat(alices.path("readSeq").asLong()).isEqualTo(3);
        assertThat(alices.path("peerReadSeq").asLong()).isZero();

        // every message object carries its number
        Api.Device device = api.deviceOf(bob);
        device.syncAll();
        assertThat(device.messages).extracting(m -> m.path("convSeq").asLong()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void readingMarksEveryDeviceAndTellsThePeerAndAMessageAfterTheReadStaysUnread() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session bobsLaptop = api.device(bob.userId(), "laptop");
        String conversation = direct(alice, bob);
        for (int i = 0; i < 3; i++) {
            api.sendOk(alice, "u:" + bob.userId(), "m" + i);
        }
        stateOnce(bob, conversation, state -> state.path("unread").asInt() == 3);
        Api.Device laptop = api.deviceOf(bobsLaptop);
        laptop.syncAll();

        Api.Response read = api.read(bob, conversation, 2);
        assertThat(read.status()).as(read.body().toString()).isEqualTo(202);
        assertThat(read.body().path("conversation").asString()).isEqualTo(conversation);
        assertThat(read.body().path("readSeq").asLong()).isEqualTo(2);
        JsonNode bobs =
                stateOnce(bob, conversation, state -> state.path("readSeq").asLong() == 2);
        assertThat(bobs.path("unread").asInt()).isEqualTo(1);
        stateOnce(alice, conversation, state -> state.path("peerReadSeq").asLong() == 2);

        // the other device sees the read at its next sync, as a changed conversation state
        List<JsonNode> changed = new ArrayList<>();
        await().atMost(DELIVERY).untilAsserted(() -> {
            Api.Response delta = api.sync(bobsLaptop, laptop.syncKey, null);
            assertThat(delta.status()).isEqualTo(200);
            delta.body().path("conversations").forEach(changed::add);
            laptop.syncKey = delta.body().path("syncKey").asString();
            assertThat(changed)
                    .anySatisfy(
                            state -> assertThat(state.path("readSeq").asLong()).isEqualTo(2));
        });

        // a read below the present position changes nothing; a read of everything, then a new message: unread 1
        assertThat(api.read(bob, conversation, 1).body().path("readSeq").asLong())
                .isEqualTo(2);
        assertThat(api.read(bob, conversation, 3).status()).isEqualTo(202);
        stateOnce(bob, conversation, state -> state.path("unread").asInt() == 0);
        api.sendOk(alice, "u:" + bob.userId(), "after the read");
        bobs = stateOnce(bob, conversation, state -> state.path("lastConvSeq").asLong() == 4);
        assertThat(bobs.path("unread").asInt()).isEqualTo(1);
        assertThat(bobs.path("readSeq").asLong()).isEqualTo(3);

        // bob answers: sending marks read, and alice sees that bob read up to his answer
        api.sendOk(bob, "u:" + alice.userId(), "answer");
        stateOnce(
                bob,
                conversation,
                state -> state.path("unread").asInt() == 0
                        && state.path("readSeq").asLong() == 5);
        stateOnce(alice, conversation, state -> state.path("peerReadSeq").asLong() == 5);
    }

    @Test
    void badReadsAndUnknownConversationsAreRefusedWithTheirCodes() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session eve = api.newUser("eve");
        String conversation = direct(alice, bob);
        api.sendOk(alice, "u:" + bob.userId(), "hello");
        stateOnce(bob, conversation, state -> state.path("lastConvSeq").asLong() == 1);

        Api.Response beyond = api.read(bob, conversation, 2);
        assertThat(beyond.status()).isEqualTo(400);
        assertThat(beyond.code()).isEqualTo("invalid_request");
        assertThat(beyond.body().path("detail").asString()).startsWith("convSeq:");
        for (String body : List.of("{\"convSeq\":-1}", "{\"convSeq\":1.5}", "{\"convSeq\":\"1\"}", "{}")) {
            Api.Response bad = api.post(api.gateway + "/v1/conversations/" + conversation + "/read", bob.token(), body);
            assertThat(bad.status()).as(body).isEqualTo(400);
            assertThat(bad.code()).as(body).isEqualTo("invalid_request");
        }
        // not part of it, never heard of it, not a conversation id at all: 404, nothing disclosed
        for (String unknown : List.of(conversation, "d:nobody-1:nobody-2", "g:no-such-group", "not-an-id")) {
            Api.Response read = api.read(eve, unknown, 1);
            assertThat(read.status()).as(unknown).isEqualTo(404);
            assertThat(read.code()).as(unknown).isEqualTo("not_found");
            assertThat(api.conversation(eve, unknown).status()).as(unknown).isEqualTo(404);
            assertThat(api.history(eve, unknown, null).status()).as(unknown).isEqualTo(404);
            assertThat(api.mute(eve, unknown, true).status()).as(unknown).isEqualTo(404);
        }
        // the conversation id may be written with %3A for the colons
        assertThat(api.conversation(bob, conversation.replace(":", "%3A")).status())
                .isEqualTo(200);
    }

    @Test
    void theChatListShowsNewestActivityFirstAndPagesWithItsCursor() {
        Api.Session me = api.newUser("me");
        List<Api.Session> friends = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Api.Session friend = api.newUser("friend" + i);
            friends.add(friend);
            api.sendOk(friend, "u:" + me.userId(), "hello " + i);
        }
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(
                                api.conversations(me, "limit=200").body().path("conversations"))
                        .hasSize(5));
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Api.Response page = api.conversations(me, "limit=2" + (cursor == null ? "" : "&before=" + cursor));
            assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
            page.body()
                    .path("conversations")
                    .forEach(state -> seen.add(state.path("conversation").asString()));
            cursor = page.body().path("next").isNull()
                    ? null
                    : page.body().path("next").asString();
        } while (cursor != null);
        List<String> expected = new ArrayList<>();
        for (int i = friends.size() - 1; i >= 0; i--) {
            expected.add(direct(me, friends.get(i)));
        }
        assertThat(seen).containsExactlyElementsOf(expected);

        for (String query : List.of("limit=0", "limit=201", "limit=x", "before=bm90LWEtY3Vyc29y", "before=%25%25")) {
            Api.Response bad = api.conversations(me, query);
            assertThat(bad.status()).as(query).isEqualTo(400);
            assertThat(bad.code()).as(query).isEqualTo("invalid_request");
        }
    }

    @Test
    void aMutedConversationStillCountsUnread() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);
        api.sendOk(alice, "u:" + bob.userId(), "hello");
        stateOnce(bob, conversation, state -> state.path("unread").asInt() == 1);
        Api.Response muted = api.mute(bob, conversation, true);
        assertThat(muted.status()).as(muted.body().toString()).isEqualTo(200);
        assertThat(muted.body().path("muted").asBoolean()).isTrue();
        stateOnce(bob, conversation, state -> state.path("muted").asBoolean());
        api.sendOk(alice, "u:" + bob.userId(), "still counted");
        stateOnce(
                bob,
                conversation,
                state ->
                        state.path("unread").asInt() == 2 && state.path("muted").asBoolean());
        assertThat(api.mute(bob, conversation, false).body().path("muted").asBoolean())
                .isFalse();
        stateOnce(bob, conversation, state -> !state.path("muted").asBoolean());
        Api.Response bad = api.call(
                "PATCH",
                api.gateway + "/v1/conversations/" + conversation,
                bob.token(),
                "{\"muted\":\"yes\"}",
                "application/json");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.code()).isEqualTo("invalid_request");
    }

    @Test
    void aNewDeviceScrollsBackThroughTheWholeHistory() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            sent.add(api.sendOk(i % 2 == 0 ? alice : bob, "u:" + (i % 2 == 0 ? bob : alice).userId(), "m" + i));
        }
        stateOnce(bob, conversation, state -> state.path("lastConvSeq").asLong() == 120);
        Api.Session phone = api.device(bob.userId(), "new-phone");
        List<String> scrolled = new ArrayList<>();
        String beforeSeq = null;
        boolean more = true;
        while (more) {
            Api.Response page =
                    api.history(phone, conversation, "limit=50" + (beforeSeq == null ? "" : "&beforeSeq=" + beforeSeq));
            assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
            List<String> ids = new ArrayList<>();
            List<Long> seqs = new ArrayList<>();
            page.body().path("messages").forEach(m -> {
                ids.add(m.path("messageId").asString());
                seqs.add(m.path("convSeq").asLong());
            });
            assertThat(seqs).isSorted();
            scrolled.addAll(0, ids);
            more = page.body().path("hasMore").asBoolean();
            beforeSeq = Long.toString(seqs.getFirst());
        }
        assertThat(scrolled).containsExactlyElementsOf(sent);
        JsonNode first = api.history(phone, conversation, "limit=1&beforeSeq=2").body();
        assertThat(first.path("messages").get(0).path("content").asString()).isEqualTo("m0");
        assertThat(first.path("hasMore").asBoolean()).isFalse();

        for (String query : List.of("limit=0", "limit=201", "limit=x", "beforeSeq=0", "beforeSeq=-1", "beforeSeq=x")) {
            Api.Response bad = api.history(phone, conversation, query);
            assertThat(bad.status()).as(query).isEqualTo(400);
            assertThat(bad.code()).as(query).isEqualTo("invalid_request");
        }
    }

    @Test
    void aGroupMemberSeesTheGroupFromJoiningToLeavingAndReceiptsNameWhoRead() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String groupId = Api.uniqueId("g");
        String conversation = "g:" + groupId;
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        // convSeq 1 is the system message group.created, 3 members.added (carol), 5 member.removed (carol)
        String before = api.sendOk(owner, conversation, "before carol");
        stateOnce(bob, conversation, state -> state.path("lastConvSeq").asLong() == 2);
        assertThat(api.addMembers(owner, groupId, List.of(carol.userId())).status())
                .isEqualTo(202);
        await().atMost(DELIVERY)
                .until(() -> api.get(api.gateway + "/v1/groups/" + groupId, owner)
                        .body()
                        .path("members")
                        .toString()
                        .contains(carol.userId()));
        String during = api.sendOk(owner, conversation, "with carol");
        JsonNode carols = stateOnce(
                carol, conversation, state -> state.path("lastConvSeq").asLong() == 4);
        assertThat(carols.path("unread").asInt())
                .as("system messages are never unread")
                .isEqualTo(1);
        assertThat(carols.has("peerReadSeq"))
                .as("no receipt position in a group")
                .isFalse();
        JsonNode bobs =
                stateOnce(bob, conversation, state -> state.path("lastConvSeq").asLong() == 4);
        assertThat(bobs.path("unread").asInt()).isEqualTo(2);

        // receipts: bob and carol received "with carol"; carol reads it
        assertThat(api.read(carol, conversation, 4).status()).isEqualTo(202);
        await().atMost(DELIVERY).untilAsserted(() -> {
            JsonNode receipts = api.receipts(owner, during).body();
            assertThat(receipts.path("convSeq").asLong()).isEqualTo(4);
            assertThat(receipts.path("readBy").toString()).contains(carol.userId());
            assertThat(receipts.path("unreadBy").toString()).contains(bob.userId());
            assertThat(receipts.path("readBy").toString() + receipts.path("unreadBy"))
                    .doesNotContain(owner.userId());
        });
        // carol cannot see a message from before she joined: neither in history nor its receipts
        assertThat(api.receipts(carol, before).status()).isEqualTo(404);
        assertThat(api.receipts(carol, "no-such-message").status()).isEqualTo(404);
        assertThat(sent(api.history(carol, conversation, null).body().path("messages")))
                .containsExactly(during);

        // carol leaves; what comes after is not hers
        assertThat(api.removeMember(carol, groupId, carol.userId()).status()).isEqualTo(202);
        await().atMost(DELIVERY)
                .until(() -> !api.get(api.gateway + "/v1/groups/" + groupId, owner)
                        .body()
                        .path("members")
                        .toString()
                        .contains(carol.userId()));
        String after = api.sendOk(owner, conversation, "after carol");
        stateOnce(bob, conversation, state -> state.path("lastConvSeq").asLong() == 6);
        assertThat(sent(api.history(carol, conversation, null).body().path("messages")))
                .containsExactly(during);
        assertThat(api.history(carol, conversation, null).body().path("messages"))
                .extracting(m -> m.path("convSeq").asLong())
                .as("from joining to leaving: members.added, her message, member.removed")
                .containsExactly(3L, 4L, 5L);
        assertThat(sent(api.history(bob, conversation, null).body().path("messages")))
                .containsExactly(before, during, after);
        assertThat(api.receipts(carol, after).status()).isEqualTo(404);
    }

    @Test
    void aFirstSyncListsTheStatesAndAReadOnAnotherDeviceIsHinted() throws Exception {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);
        api.sendOk(alice, "u:" + bob.userId(), "hello");
        stateOnce(bob, conversation, state -> state.path("unread").asInt() == 1);

        Api.Response first = api.sync(bob, null, null);
        assertThat(first.body().path("conversations")).hasSize(1);
        assertThat(first.body().path("conversations").get(0).path("unread").asInt())
                .isEqualTo(1);
        try (Socket stream = Socket.connect(api.sync.replace("http", "ws") + "/v1/stream", alice.token())) {
            assertThat(api.read(bob, conversation, 1).status()).isEqualTo(202);
            // alice's receipt changed without a new entry in her inbox: a conversations hint
            await().atMost(DELIVERY)
                    .until(() -> stream.received().stream()
                            .anyMatch(frame -> frame.path("type").asString().equals("hint")
                                    && frame.path("data").asString("").equals("conversations")));
        }
        Api.Response delta = api.sync(bob, first.body().path("syncKey").asString(), null);
        assertThat(delta.body().path("conversations").get(0).path("readSeq").asLong())
                .isEqualTo(1);
        assertThat(delta.body().path("conversations").get(0).path("unread").asInt())
                .isZero();
    }
}
