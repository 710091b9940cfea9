package dev.courier.standalone;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Topics;
import dev.courier.gateway.GatewayApplication;
import dev.courier.system.CourierSystem;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Groups run through the public API on the whole system (PROTOCOL.md, "Groups"): the owner and admins change the
 * group, every member sees each change as a system message and in the groups data type, and the log decides the
 * races the gateway could not see (changes accepted while the fanout-worker was down, applied in log order once it
 * is back).
 */
class GroupAdministrationIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private final Api api = TestSystem.api();

    @Test
    void theOwnerAndAdminsRunTheGroupAndEveryMemberSeesEachChangeAsASystemMessage() {
        Api.Session olga = api.newUser("olga");
        Api.Session adam = api.newUser("adam");
        Api.Session mia = api.newUser("mia");
        Api.Device miasPhone = api.deviceOf(mia);
        miasPhone.syncAll();
        Api.Response created = api.createGroup(olga, null, "Team", List.of(adam.userId(), mia.userId()));
        assertThat(created.status()).isEqualTo(201);
        String groupId = created.body().path("groupId").asString();
        assertThat(created.body().path("admins").size()).isZero();
        assertThat(created.body().path("version").asLong()).isEqualTo(1);

        Api.Response renamed = api.updateGroup(olga, groupId, "{\"name\":\"Launch\"}");
        assertThat(renamed.status()).as(renamed.body().toString()).isEqualTo(200);
        assertThat(renamed.body().path("name").asString()).isEqualTo("Launch");
        assertThat(renamed.body().path("version").asLong()).isEqualTo(2);
        assertThat(api.setAdmin(olga, groupId, adam.userId(), true).status()).isEqualTo(204);
        Api.Response announced = api.updateGroup(adam, groupId, "{\"announcement\":\"Ship on Friday\"}");
        assertThat(announced.status()).as(announced.body().toString()).isEqualTo(200);
        assertThat(announced.body().path("admins").get(0).asString()).isEqualTo(adam.userId());

        // a muted member is refused at once, and sends again once unmuted
        String until = Instant.now().plus(Duration.ofHours(1)).toString();
        assertThat(api.muteMember(adam, groupId, mia.userId(), until).status()).isEqualTo(204);
        Api.Response refused = api.send(mia, Api.uniqueId("c"), "g:" + groupId, "may I?");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("forbidden");
        assertThat(refused.body().path("detail").asString()).contains("muted");
        assertThat(api.unmuteMember(adam, groupId, mia.userId()).status()).isEqualTo(204);
        api.sendOk(mia, "g:" + groupId, "thanks");

        Api.Response transferred = api.transfer(olga, groupId, adam.userId());
        assertThat(transferred.status()).isEqualTo(200);
        assertThat(transferred.body().path("owner").asString()).isEqualTo(adam.userId());
        assertThat(transferred.body().path("admins").toString()).isEqualTo("[\"" + olga.userId() + "\"]");
        assertThat(api.dissolve(olga, groupId).code())
                .as("olga is no longer the owner")
                .isEqualTo("forbidden");
        assertThat(api.dissolve(adam, groupId).status()).isEqualTo(204);
        assertThat(api.send(mia, Api.uniqueId("c"), "g:" + groupId, "anyone?").status())
                .isEqualTo(404);
        assertThat(api.group(mia, groupId).status()).isEqualTo(404);
        assertThat(api.groups(mia).body().path("groups").toString()).doesNotContain(groupId);

        // mia's phone: every change as a system message from its actor, in the group's order, none unread
        await().atMost(DELIVERY).untilAsserted(() -> {
            miasPhone.syncAll();
            assertThat(miasPhone.all.stream()
                            .filter(m -> m.path("conversation").asString().equals("g:" + groupId))
                            .map(m -> m.path("convSeq").asLong() + " "
                                    + m.path("from").asString() + " "
                                    + (m.path("kind").asString().equals("system")
                                            ? m.path("content").path("event").asString()
                                            : m.path("content").asString()))
                            .toList())
                    .containsExactly(
                            "1 " + olga.userId() + " group.created",
                            "2 " + olga.userId() + " group.updated",
                            "3 " + olga.userId() + " admin.added",
                            "4 " + adam.userId() + " group.updated",
                            "5 " + mia.userId() + " thanks",
                            "6 " + olga.userId() + " owner.changed",
                            "7 " + adam.userId() + " group.dissolved");
        });
        JsonNode state = api.conversation(olga, "g:" + groupId).body();
        assertThat(state.path("unread").asInt()).as("only mia's message counts").isEqualTo(1);
        assertThat(state.path("lastMessage").path("content").path("event").asString())
                .isEqualTo("group.dissolved");
    }

    @Test
    void theGroupsDataTypeListsEachChangedGroupOnceAndTheGroupsOfAMemberWhoLeft() {
        Api.Session olga = api.newUser("olga");
        Api.Session mia = api.newUser("mia");
        String groupId = api.createGroup(olga, null, "Before", List.of(mia.userId()))
                .body()
                .path("groupId")
                .asString();
        // a first sync lists the groups mia is in now
        JsonNode first = await().atMost(DELIVERY)
                .until(
                        () -> api.sync(mia, null, null).body(),
                        body -> body.path("groups").toString().contains(groupId));
        String key = first.path("syncKey").asString();
        assertThat(api.updateGroup(olga, groupId, "{\"name\":\"After\",\"muted\":true}")
                        .status())
                .isEqualTo(200);

        JsonNode delta = await().atMost(DELIVERY)
                .until(
                        () -> api.sync(mia, key, null).body(),
                        body -> body.path("groups").toString().contains("After"));
        assertThat(delta.path("groups")).singleElement().satisfies(group -> {
            assertThat(group.path("name").asString()).isEqualTo("After");
            assertThat(group.path("muted").asBoolean()).isTrue();
            assertThat(group.path("memberCount").asInt()).isEqualTo(2);
        });
        String next = delta.path("syncKey").asString();

        assertThat(api.removeMember(mia, groupId, mia.userId()).status()).isEqualTo(202);
        JsonNode left = await().atMost(DELIVERY)
                .until(
                        () -> api.sync(mia, next, null).body(),
                        body -> body.path("groups").toString().contains("\"left\":true"));
        assertThat(left.path("groups")).singleElement().satisfies(group -> {
            assertThat(group.path("groupId").asString()).isEqualTo(groupId);
            assertThat(group.path("left").asBoolean()).isTrue();
            assertThat(group.has("members")).isFalse();
        });
        assertThat(left.path("messages").toString()).contains("member.removed");
    }

    @Test
    void theLogDecidesTheRacesTheGatewayCouldNotSee() {
        Api.Session olga = api.newUser("olga");
        Api.Session adam = api.newUser("adam");
        Api.Session mia = api.newUser("mia");
        Api.Session max = api.newUser("max");
        Api.Session alice = api.newUser("alice");
        Api.Session bob = api.newUser("bob");
        String groupId = api.createGroup(olga, null, "Race", List.of(adam.userId(), mia.userId(), max.userId()))
                .body()
                .path("groupId")
                .asString();
        assertThat(api.setAdmin(olga, groupId, adam.userId(), true).status()).isEqualTo(204);
        String before = api.sendOk(alice, "u:" + bob.userId(), "before the block");

        CourierSystem system = TestSystem.get();
        // a gateway that does not wait long for the fanout-worker, which is down while the changes are accepted
        try (ConfigurableApplicationContext gateway = TestSystem.extra(
                new SpringApplicationBuilder(GatewayApplication.class), "--courier.gateway.change-timeout=200ms")) {
            Api quick =
                    new Api("http://127.0.0.1:" + TestSystem.port(gateway), "http://127.0.0.1:" + system.syncPort());
            system.stop(CourierSystem.FANOUT_WORKER);
            String maxsMessage;
            String alicesMessage;
            try {
                // each passes the gateway's early check: nothing before it in the log is applied yet
                assertThat(quick.setAdmin(olga, groupId, adam.userId(), false).status())
                        .isEqualTo(202);
                assertThat(quick.removeMember(adam, groupId, mia.userId()).status())
                        .isEqualTo(202);
                assertThat(quick.muteMember(olga, groupId, max.userId(), null).status())
                        .isEqualTo(202);
                maxsMessage = quick.sendOk(max, "g:" + groupId, "sent after my mute");
                assertThat(quick.block(bob, alice.userId(), true).status()).isEqualTo(202);
                alicesMessage = quick.sendOk(alice, "u:" + bob.userId(), "sent after the block");
            } finally {
                system.start(CourierSystem.FANOUT_WORKER);
            }

            // in log order: adam was no admin when his removal came, max was muted, bob had blocked alice
            List<ConsumerRecord<String, String>> refused =
                    DeadLetterIntegrationTests.deadLetters(Topics.deadLetter(Topics.CONVERSATIONS), "g:" + groupId, 2);
            assertThat(refused)
                    .extracting(letter -> DeadLetterIntegrationTests.header(letter, "courier.dlt.reason"))
                    .containsExactly("forbidden", "forbidden");
            assertThat(DeadLetterIntegrationTests.deadLetters(
                                    Topics.deadLetter(Topics.CONVERSATIONS),
                                    "d:"
                                            + String.join(
                                                    ":",
                                                    List.of(alice.userId(), bob.userId()).stream()
                                                            .sorted()
                                                            .toList()),
                                    1)
                            .getFirst())
                    .satisfies(letter -> assertThat(DeadLetterIntegrationTests.header(letter, "courier.dlt.reason"))
                            .isEqualTo("blocked"));
            await().atMost(DELIVERY).untilAsserted(() -> {
                JsonNode group = api.group(olga, groupId).body();
                assertThat(group.path("admins").isEmpty()).isTrue();
                assertThat(group.path("members").toString()).contains(mia.userId());
            });
            Api.Device bobs = api.deviceOf(bob);
            Api.Device olgas = api.deviceOf(olga);
            await().atMost(DELIVERY).untilAsserted(() -> {
                bobs.syncAll();
                olgas.syncAll();
                assertThat(olgas.all.toString()).contains("admin.removed");
                assertThat(bobs.messageIds()).contains(before);
            });
            assertThat(olgas.messageIds()).doesNotContain(maxsMessage);
            assertThat(olgas.all.toString()).doesNotContain("member.removed");
            assertThat(bobs.messageIds()).doesNotContain(alicesMessage);
            assertThat(api.blocks(bob).body().path("userIds").toString()).contains(alice.userId());
        }
    }
}
