package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import dev.courier.gateway.GatewayApplication;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replies, recall, edit, delete for me and reactions through the public API (PROTOCOL.md, "Message lifecycle"): each
 * ordered in the conversation's log and entered in the inbox of every member who saw the target, each refusal with
 * its code, and history showing each message's current state.
 */
class LifecycleIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    /** A gateway whose recall and edit windows have passed for any message (zero), for the 409 answers. */
    private static ConfigurableApplicationContext closedWindows;

    private static Api late;

    private final Api api = TestSystem.api();

    @BeforeAll
    static void startGatewayWithClosedWindows() {
        closedWindows = TestSystem.extra(
                GatewayApplication.builder(), "--courier.gateway.recall-window=0s", "--courier.gateway.edit-window=0s");
        late = new Api("http://127.0.0.1:" + TestSystem.port(closedWindows), TestSystem.api().sync);
    }

    @AfterAll
    static void stopIt() {
        closedWindows.close();
    }

    private static String direct(Api.Session one, Api.Session other) {
        return one.userId().compareTo(other.userId()) < 0
                ? "d:" + one.userId() + ":" + other.userId()
                : "d:" + other.userId() + ":" + one.userId();
    }

    /** Sends and waits until the pipeline stored it (a target must be stored). */
    private String stored(Api.Session from, String to, String text, Api.Session reader, String conversation) {
        String messageId = api.sendOk(from, to, text);
        await().atMost(DELIVERY)
                .until(() -> historyOf(reader, conversation).stream()
                        .anyMatch(m -> m.path("messageId").asString().equals(messageId)));
        return messageId;
    }

    private List<JsonNode> historyOf(Api.Session reader, String conversation) {
        List<JsonNode> messages = new ArrayList<>();
        api.history(reader, conversation, "limit=200").body().path("messages").forEach(messages::add);
        return messages;
    }

    private JsonNode historyMessage(
            Api.Session reader, String conversation, String messageId, Predicate<JsonNode> until) {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(DELIVERY).untilAsserted(() -> {
            JsonNode message = historyOf(reader, conversation).stream()
                    .filter(m -> m.path("messageId").asString().equals(messageId))
                    .findFirst()
                    .orElseThrow();
            assertThat(until.test(message)).as(message.toString()).isTrue();
            found.add(message);
        });
        return found.getLast();
    }

    @Test
    void aReplyNamesItsTargetAndOnlyAMessageOfTheSameConversationTheSenderMaySee() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        String conversation = direct(alice, bob);
        String question = stored(alice, "u:" + bob.userId(), "coffee?", bob, conversation);

        Api.Response reply = api.reply(bob, "u:" + alice.userId(), "yes", question);
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(202);
        String answer = reply.body().path("messageId").asString();
        assertThat(historyMessage(alice, conversation, answer, m -> true)
                        .path("replyTo")
                        .asString())
                .isEqualTo(question);
        assertThat(historyMessage(alice, conversation, question, m -> true)
                        .path("replyTo")
                        .isNull())
                .isTrue();
        Api.Device device = api.deviceOf(alice);
        await().atMost(DELIVERY).untilAsserted(() -> {
            device.syncAll();
            assertThat(device.messages)
                    .anySatisfy(m -> assertThat(m.path("replyTo").asString("")).isEqualTo(question));
        });

        // another conversation's message, one the sender may not see, an unknown one, a malformed id: 400
        String elsewhere = stored(carol, "u:" + alice.userId(), "hi alice", alice, direct(alice, carol));
        for (String target : List.of(elsewhere, "m-no-such-message", "not an id!")) {
            Api.Response refused = api.reply(bob, "u:" + alice.userId(), "x", target);
            assertThat(refused.status()).as(target).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("invalid_request");
            assertThat(refused.body().path("detail").asString()).startsWith("replyTo:");
        }
    }

    @Test
    void aRecallReachesEveryoneWhoSawTheMessageStopsItCountingAndOnlyItsSenderMayMakeIt() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);
        String oops = stored(alice, "u:" + bob.userId(), "oops, wrong chat", bob, conversation);
        await().atMost(DELIVERY)
                .until(() -> api.conversation(bob, conversation)
                                .body()
                                .path("unread")
                                .asInt()
                        == 1);

        Api.Response notTheSender = api.recall(bob, oops);
        assertThat(notTheSender.status()).isEqualTo(403);
        assertThat(notTheSender.code()).isEqualTo("forbidden");
        Api.Response recalled = api.recall(alice, oops);
        assertThat(recalled.status()).as(recalled.body().toString()).isEqualTo(202);
        assertThat(recalled.body().path("messageId").asString()).isEqualTo(oops);
        assertThat(recalled.body().path("recalledAt").asString()).isNotBlank();

        JsonNode inHistory =
                historyMessage(bob, conversation, oops, m -> m.path("recalled").asBoolean());
        assertThat(inHistory.path("content").isNull()).isTrue();
        await().atMost(DELIVERY).untilAsserted(() -> {
            JsonNode state = api.conversation(bob, conversation).body();
            assertThat(state.path("unread").asInt()).isZero();
            assertThat(state.path("lastConvSeq").asLong()).isEqualTo(2);
            assertThat(state.path("lastMessage").path("messageId").asString()).isEqualTo(oops);
            assertThat(state.path("lastMessage").path("recalled").asBoolean()).isTrue();
        });
        // both inboxes get the recall entry, with its own convSeq, and the recalled message shows no content
        for (Api.Session user : List.of(alice, bob)) {
            Api.Device device = api.deviceOf(user);
            device.syncAll();
            assertThat(device.messages).anySatisfy(m -> {
                assertThat(m.path("kind").asString()).isEqualTo("recall");
                assertThat(m.path("content").path("target").asString()).isEqualTo(oops);
                assertThat(m.path("convSeq").asLong()).isEqualTo(2);
                assertThat(m.path("from").asString()).isEqualTo(alice.userId());
            });
            assertThat(device.messages).anySatisfy(m -> {
                assertThat(m.path("messageId").asString()).isEqualTo(oops);
                assertThat(m.path("content").isNull()).isTrue();
            });
        }
        // a second recall is harmless: 202 again, nothing more
        assertThat(api.recall(alice, oops).status()).isEqualTo(202);
        assertThat(api.conversation(bob, conversation)
                        .body()
                        .path("lastConvSeq")
                        .asLong())
                .isEqualTo(2);

        String later = stored(alice, "u:" + bob.userId(), "too late to take back", bob, conversation);
        Api.Response closed = late.recall(alice, later);
        assertThat(closed.status()).isEqualTo(409);
        assertThat(closed.code()).isEqualTo("conflict");
        assertThat(api.recall(alice, "m-no-such-message").status()).isEqualTo(404);
    }

    @Test
    void anEditReplacesTheTextForEveryoneWithinItsWindowAndOnlyForText() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);
        String typo = stored(alice, "u:" + bob.userId(), "see you at 8", bob, conversation);

        Api.Response edited = api.edit(alice, typo, "see you at 9");
        assertThat(edited.status()).as(edited.body().toString()).isEqualTo(202);
        assertThat(edited.body().path("editedAt").asString()).isNotBlank();
        JsonNode now = historyMessage(
                bob, conversation, typo, m -> m.path("content").asString().equals("see you at 9"));
        assertThat(now.path("editedAt").asString()).isNotBlank();
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(api.conversation(bob, conversation)
                                .body()
                                .path("lastMessage")
                                .path("content")
                                .asString())
                        .isEqualTo("see you at 9"));
        Api.Device device = api.deviceOf(bob);
        device.syncAll();
        assertThat(device.messages).anySatisfy(m -> {
            assertThat(m.path("kind").asString()).isEqualTo("edit");
            assertThat(m.path("content").path("target").asString()).isEqualTo(typo);
            assertThat(m.path("content").path("text").asString()).isEqualTo("see you at 9");
        });

        assertThat(api.edit(bob, typo, "hijacked").status()).isEqualTo(403);
        assertThat(late.edit(alice, typo, "too late").status()).isEqualTo(409);
        Api.Response tooLong = api.edit(alice, typo, "x".repeat(16_385));
        assertThat(tooLong.status()).isEqualTo(413);
        assertThat(tooLong.code()).isEqualTo("payload_too_large");
        Api.Response empty = api.edit(alice, typo, "");
        assertThat(empty.status()).isEqualTo(400);
        Api.Response image = api.post(
                api.gateway + "/v1/messages",
                alice.token(),
                Api.json(
                        "clientMsgId",
                        Api.uniqueId("c"),
                        "to",
                        "u:" + bob.userId(),
                        "kind",
                        "image",
                        "content",
                        Api.media("https://cdn.example/cat.png", "image/png", 1024)));
        String picture = image.body().path("messageId").asString();
        historyMessage(bob, conversation, picture, m -> true);
        Api.Response notText = api.edit(alice, picture, "a caption");
        assertThat(notText.status()).isEqualTo(400);
        assertThat(notText.code()).isEqualTo("invalid_request");
        // a recalled message is not edited
        assertThat(api.recall(alice, typo).status()).isEqualTo(202);
        historyMessage(bob, conversation, typo, m -> m.path("recalled").asBoolean());
        assertThat(api.edit(alice, typo, "again").status()).isEqualTo(409);
    }

    @Test
    void aDeleteForMeHidesTheMessageOnAllMyDevicesOnly() {
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String conversation = direct(alice, bob);
        String first = stored(alice, "u:" + bob.userId(), "keep", bob, conversation);
        String second = stored(alice, "u:" + bob.userId(), "forget", bob, conversation);
        await().atMost(DELIVERY)
                .until(() -> api.conversation(bob, conversation)
                                .body()
                                .path("unread")
                                .asInt()
                        == 2);

        Api.Response deleted = api.deleteForMe(bob, second);
        assertThat(deleted.status()).isEqualTo(204);
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(historyOf(bob, conversation))
                        .extracting(m -> m.path("messageId").asString())
                        .containsExactly(first));
        assertThat(historyOf(alice, conversation))
                .extracting(m -> m.path("messageId").asString())
                .containsExactly(first, second);
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(api.conversation(bob, conversation)
                                .body()
                                .path("unread")
                                .asInt())
                        .isEqualTo(1));
        // a new device of bob's: its first sync leaves it out too; the delete entry has no convSeq
        Api.Session laptop = api.device(bob.userId(), "laptop");
        Api.Response first2 = api.sync(laptop, null, null);
        List<String> ids = new ArrayList<>();
        first2.body().path("messages").forEach(m -> ids.add(m.path("messageId").asString()));
        assertThat(ids).contains(first).doesNotContain(second);
        first2.body().path("messages").forEach(m -> {
            if (m.path("kind").asString().equals("delete")) {
                assertThat(m.has("convSeq")).isFalse();
            }
        });
        assertThat(api.deleteForMe(bob, "m-no-such-message").status()).isEqualTo(404);
    }

    @Test
    void reactionsAreListedInOrderARepeatedOneIsHarmlessAndEveryRefusalHasItsCode() {
        Api.Session owner = api.newUser("owner");
        Api.Session bob = api.newUser("bob");
        Api.Session eve = api.newUser("eve");
        String groupId = Api.uniqueId("g");
        assertThat(api.createGroup(owner, groupId, "G", List.of(bob.userId())).status())
                .isEqualTo(201);
        String conversation = "g:" + groupId;
        String news = stored(owner, conversation, "we shipped", bob, conversation);

        assertThat(api.react(bob, news, "🎉", true).status()).isEqualTo(204);
        assertThat(api.react(owner, news, "🎉", true).status()).isEqualTo(204);
        assertThat(api.react(bob, news, "👍", true).status()).isEqualTo(204);
        assertThat(api.react(bob, news, "🎉", true).status())
                .as("again: harmless")
                .isEqualTo(204);
        JsonNode reacted = historyMessage(
                owner, conversation, news, m -> m.path("reactions").path("👍").size() == 1);
        assertThat(reacted.path("reactions").path("🎉").toString())
                .isEqualTo("[\"" + bob.userId() + "\",\"" + owner.userId() + "\"]");
        assertThat(api.react(bob, news, "👍", false).status()).isEqualTo(204);
        historyMessage(owner, conversation, news, m -> !m.path("reactions").has("👍"));
        // each effective change is one entry for every member; the repeated one made none
        Api.Device device = api.deviceOf(owner);
        await().atMost(DELIVERY).untilAsserted(() -> {
            device.syncAll();
            assertThat(device.messages)
                    .filteredOn(m -> m.path("kind").asString().equals("reaction"))
                    .hasSize(4);
        });
        JsonNode none =
                historyMessage(owner, conversation, stored(owner, conversation, "quiet", bob, conversation), m -> true);
        assertThat(none.path("reactions").isObject()).isTrue();
        assertThat(none.path("reactions").size()).isZero();

        assertThat(api.react(eve, news, "👍", true).status()).as("not a member").isEqualTo(404);
        for (String bad : List.of("x".repeat(33), "two words", "tab\there")) {
            Api.Response refused = api.react(bob, news, bad, true);
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("invalid_request");
        }
        assertThat(api.react(bob, "m-no-such-message", "👍", true).status()).isEqualTo(404);
    }

    @Test
    void aRecallInAGroupOf500ReachesEveryMemberWhoSawIt() {
        Api.Session owner = api.newUser("owner");
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 499; i++) {
            String userId = Api.uniqueId("m" + i);
            assertThat(api.createAccount(userId, "password-" + userId, "M").status())
                    .isEqualTo(201);
            members.add(userId);
        }
        Api.Session last = api.device(members.getLast(), "phone");
        String groupId = Api.uniqueId("big");
        assertThat(api.createGroup(owner, groupId, "Big", members).status()).isEqualTo(201);
        String conversation = "g:" + groupId;
        String announcement = stored(owner, conversation, "wrong group, sorry", last, conversation);

        assertThat(api.recall(owner, announcement).status()).isEqualTo(202);

        JdbcClient jdbc = JdbcClient.create(new DriverManagerDataSource(
                CourierInfrastructure.shared().jdbcUrl(),
                CourierInfrastructure.shared().dbUser(),
                CourierInfrastructure.shared().dbPassword()));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(jdbc.sql("""
                                SELECT COUNT(*) FROM inbox i JOIN messages m ON m.message_id = i.message_id
                                WHERE m.conversation_id = ? AND m.kind = 'recall'
                                """)
                                .param(conversation)
                                .query(Long.class)
                                .single())
                        .isEqualTo(500));
        await().atMost(DELIVERY).untilAsserted(() -> {
            JsonNode state = api.conversation(last, conversation).body();
            assertThat(state.path("unread").asInt()).isZero();
            assertThat(state.path("lastMessage").path("recalled").asBoolean()).isTrue();
        });
    }
}
