package dev.courier.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.courier.system.CourierSystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Group administration, system messages, the groups of sync deltas and blocking through the SDK, against the real system. */
class GroupsIntegrationTests {

    private static final Duration DELIVERY = Duration.ofSeconds(60);

    /** Longer than any wait below: what arrives was fetched because of a hint, not a quiet-interval sync. */
    private static final ClientSettings HINTS_ONLY = TestCourier.SETTINGS.withQuietSyncInterval(Duration.ofMinutes(10));

    @Test
    void everyAdministrationCallReachesTheMembersAsASystemMessageAndTheGroupsOfTheirDeltas() throws Exception {
        TestCourier.system();
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Credentials carol = TestCourier.newUser("carol");
        Inbox bobsPhone = new Inbox();
        Inbox carolsPhone = new Inbox();
        String groupId = TestCourier.uniqueId("team");
        String conversation = "g:" + groupId;
        try (CourierClient alices = client(alice);
                CourierClient bobs = client(bob);
                CourierClient carols = client(carol);
                SyncSubscription bobsSync = bobs.startSync(SyncKeyStore.inMemory(), bobsPhone);
                SyncSubscription carolsSync = carols.startSync(SyncKeyStore.inMemory(), carolsPhone)) {
            await().atMost(DELIVERY).until(() -> bobsSync.streaming() && carolsSync.streaming());
            Group created = alices.createGroup(groupId, "Team", List.of(bob.userId(), carol.userId()));
            assertThat(created.owner()).isEqualTo(alice.userId());
            assertThat(created.admins()).isEmpty();
            assertThat(created.announcement()).isEmpty();
            assertThat(created.memberCount()).isEqualTo(3);
            assertThat(created.version()).isEqualTo(1);
            await().atMost(DELIVERY).until(() -> bobsPhone.group(groupId) != null);

            ChangeOutcome renamed =
                    alices.updateGroup(groupId, GroupUpdate.rename("Launch").withAnnouncement("Friday 10:00"));
            assertThat(renamed.applied()).isTrue();
            assertThat(renamed.pending()).isFalse();
            assertThat(renamed.group()).isNotNull();
            assertThat(renamed.group().name()).isEqualTo("Launch");
            assertThat(renamed.group().announcement()).isEqualTo("Friday 10:00");
            assertThat(renamed.group().version()).isEqualTo(2);
            // the call answers once the change is decided: the next read includes it
            assertThat(alices.group(groupId).name()).isEqualTo("Launch");
            await().atMost(DELIVERY)
                    .untilAsserted(
                            () -> assertThat(bobsPhone.group(groupId).name()).isEqualTo("Launch"));
            assertThat(bobsPhone.events(conversation))
                    .containsExactly(
                            new Content.GroupCreated("Team", List.of(alice.userId(), bob.userId(), carol.userId())),
                            new Content.GroupUpdated("Launch", "Friday 10:00", null));
            Message rename = bobsPhone.messages.stream()
                    .filter(m -> m.content() instanceof Content.GroupUpdated)
                    .findFirst()
                    .orElseThrow();
            assertThat(rename.from()).isEqualTo(alice.userId());
            assertThat(rename.convSeq()).isEqualTo(2);
            assertThat(rename.text())
                    .isEqualTo(alice.userId() + " renamed the group to \"Launch\" and announced \"Friday 10:00\"");

            // an admin may mute a member, for a while or until unmuted; the muted member's sends are refused
            assertThat(alices.addAdmin(groupId, bob.userId()).applied()).isTrue();
            assertThat(alices.group(groupId).admins()).containsExactly(bob.userId());
            assertThat(bobs.muteMember(groupId, carol.userId(), Instant.now().plusSeconds(3600))
                            .applied())
                    .isTrue();
            refused(() -> send(carols, conversation, "can I talk?"), 403, "forbidden");
            assertThat(bobs.unmuteMember(groupId, carol.userId()).applied()).isTrue();
            send(carols, conversation, "back again");
            assertThat(bobs.muteMember(groupId, carol.userId()).applied()).isTrue();
            refused(() -> send(carols, conversation, "still here?"), 403, "forbidden");
            bobs.unmuteMember(groupId, carol.userId());

            // the group mute: only the owner and admins send
            assertThat(bobs.updateGroup(groupId, GroupUpdate.mute(true)).group())
                    .extracting(Group::muted)
                    .isEqualTo(true);
            refused(() -> send(carols, conversation, "hello?"), 403, "forbidden");
            send(bobs, conversation, "admins only for now");
            bobs.updateGroup(groupId, GroupUpdate.mute(false));
            send(carols, conversation, "thanks");
            assertThat(alices.removeAdmin(groupId, bob.userId()).applied()).isTrue();

            ChangeOutcome transferred = alices.transferOwnership(groupId, bob.userId());
            assertThat(transferred.applied()).isTrue();
            assertThat(transferred.group()).isNotNull();
            assertThat(transferred.group().owner()).isEqualTo(bob.userId());
            assertThat(transferred.group().admins())
                    .as("the old owner stays as an admin")
                    .containsExactly(alice.userId());
            assertThat(alices.listGroups()).extracting(Group::groupId).contains(groupId);

            // a member removed learns it once, as a group it left
            bobs.removeMember(groupId, carol.userId());
            await().atMost(DELIVERY)
                    .untilAsserted(() -> assertThat(carolsPhone.group(groupId))
                            .isNotNull()
                            .extracting(Group::left)
                            .isEqualTo(true));
            assertThat(carolsPhone.events(conversation).getLast()).isEqualTo(new Content.MemberRemoved(carol.userId()));

            assertThat(bobs.dissolveGroup(groupId).applied()).isTrue();
            refused(() -> bobs.group(groupId), 404, "not_found");
            refused(() -> send(alices, conversation, "anyone?"), 404, "not_found");
            assertThat(alices.listGroups()).extracting(Group::groupId).doesNotContain(groupId);
            await().atMost(DELIVERY)
                    .untilAsserted(() ->
                            assertThat(bobsPhone.group(groupId).dissolved()).isTrue());
            Group dissolved = bobsPhone.group(groupId);
            assertThat(dissolved.owner()).isEqualTo(bob.userId());
            assertThat(dissolved.admins()).containsExactly(alice.userId());
            assertThat(dissolved.members()).containsExactly(alice.userId(), bob.userId());
            assertThat(dissolved.version())
                    .as(
                            "created, renamed, an admin, muted, unmuted, the admin removed, transferred, removed, dissolved")
                    .isEqualTo(9);
            assertThat(bobsPhone.events(conversation))
                    .containsExactly(
                            new Content.GroupCreated("Team", List.of(alice.userId(), bob.userId(), carol.userId())),
                            new Content.GroupUpdated("Launch", "Friday 10:00", null),
                            new Content.AdminChanged(bob.userId(), true),
                            new Content.GroupUpdated(null, null, true),
                            new Content.GroupUpdated(null, null, false),
                            new Content.AdminChanged(bob.userId(), false),
                            new Content.OwnerChanged(bob.userId()),
                            new Content.MemberRemoved(carol.userId()),
                            new Content.GroupDissolved());
            assertThat(bobsPhone.groups)
                    .extracting(Group::version)
                    .as("each group state once, in order")
                    .isSorted();
            // system messages never count as unread: for alice, who sent nothing, only the three messages do
            await().atMost(DELIVERY)
                    .untilAsserted(
                            () -> assertThat(alices.conversation(conversation).unread())
                                    .isEqualTo(3));
            assertThat(alices.history(conversation, null, 50).messages())
                    .filteredOn(Message::isSystem)
                    .hasSize(9);
        }
    }

    @Test
    void refusalsAreCourierExceptionsWithTheirCodes() throws Exception {
        TestCourier.system();
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Credentials eve = TestCourier.newUser("eve");
        String groupId = TestCourier.uniqueId("team");
        try (CourierClient alices = client(alice);
                CourierClient bobs = client(bob);
                CourierClient eves = client(eve)) {
            alices.createGroup(groupId, "Team", List.of(bob.userId()));

            refused(() -> bobs.updateGroup(groupId, GroupUpdate.rename("Mine")), 403, "forbidden");
            refused(() -> bobs.addAdmin(groupId, bob.userId()), 403, "forbidden");
            refused(() -> bobs.dissolveGroup(groupId), 403, "forbidden");
            refused(() -> bobs.transferOwnership(groupId, bob.userId()), 403, "forbidden");
            refused(() -> eves.group(groupId), 403, "not_member");
            refused(() -> eves.updateGroup(groupId, GroupUpdate.announce("hi")), 403, "not_member");
            refused(() -> alices.addAdmin(groupId, alice.userId()), 409, "conflict");
            refused(() -> alices.addAdmin(groupId, eve.userId()), 404, "not_found");
            refused(() -> alices.transferOwnership(groupId, alice.userId()), 409, "conflict");
            refused(() -> alices.muteMember(groupId, alice.userId()), 409, "conflict");
            refused(
                    () -> alices.muteMember(groupId, bob.userId(), Instant.now().minusSeconds(60)),
                    400,
                    "invalid_request");
            refused(() -> alices.updateGroup(groupId, GroupUpdate.rename("x".repeat(129))), 400, "invalid_request");
            refused(() -> alices.group(TestCourier.uniqueId("nothing")), 404, "not_found");
        }
    }

    @Test
    void aBlockKeepsTheBlockedUsersDirectMessagesOutUntilItIsTakenBack() throws Exception {
        TestCourier.system();
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Inbox bobsPhone = new Inbox();
        try (CourierClient alices = client(alice);
                CourierClient bobs = client(bob);
                SyncSubscription sync = bobs.startSync(SyncKeyStore.inMemory(), bobsPhone)) {
            send(alices, "u:" + bob.userId(), "before");
            assertThat(bobs.block(alice.userId()).applied()).isTrue();
            assertThat(bobs.block(alice.userId()).applied())
                    .as("blocking again")
                    .isTrue();
            assertThat(bobs.listBlocks()).containsExactly(alice.userId());
            refused(() -> send(alices, "u:" + bob.userId(), "let me in"), 403, "blocked");
            // one way: bob may still write
            send(bobs, "u:" + alice.userId(), "I can still write");
            refused(() -> bobs.block(bob.userId()), 400, "invalid_request");
            refused(() -> bobs.block(TestCourier.uniqueId("nobody")), 404, "not_found");

            assertThat(bobs.unblock(alice.userId()).applied()).isTrue();
            assertThat(bobs.listBlocks()).isEmpty();
            send(alices, "u:" + bob.userId(), "after");
            await().atMost(DELIVERY)
                    .untilAsserted(() ->
                            assertThat(bobsPhone.texts()).containsExactly("before", "I can still write", "after"));
        }
    }

    @Test
    void aChangeTheLogCannotDecideInTimeIsPendingAndTakesEffectOnceThePipelineIsBack() throws Exception {
        CourierSystem system = TestCourier.system();
        Credentials alice = TestCourier.newUser("alice");
        Credentials bob = TestCourier.newUser("bob");
        Inbox bobsPhone = new Inbox();
        String groupId = TestCourier.uniqueId("team");
        try (CourierClient alices = client(alice);
                CourierClient bobs = client(bob);
                SyncSubscription sync = bobs.startSync(SyncKeyStore.inMemory(), bobsPhone)) {
            alices.createGroup(groupId, "Team", List.of(bob.userId()));
            await().atMost(DELIVERY).until(() -> bobsPhone.group(groupId) != null);

            system.stop(CourierSystem.FANOUT_WORKER);
            ChangeOutcome renamed;
            try {
                renamed = alices.updateGroup(groupId, GroupUpdate.rename("Renamed while behind"));
            } finally {
                system.start(CourierSystem.FANOUT_WORKER);
            }
            assertThat(renamed.pending()).isTrue();
            assertThat(renamed.eventId()).isNotBlank();
            assertThat(renamed.group()).isNull();

            await().atMost(DELIVERY)
                    .untilAsserted(
                            () -> assertThat(bobsPhone.group(groupId).name()).isEqualTo("Renamed while behind"));
            assertThat(bobsPhone.events("g:" + groupId))
                    .last()
                    .isEqualTo(new Content.GroupUpdated("Renamed while behind", null, null));
        }
    }

    private static void send(CourierClient client, String to, String text) {
        try {
            client.send(to, text).get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof CourierException refused) {
                throw refused;
            }
            throw new AssertionError(e);
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static void refused(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(CourierException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
        });
    }

    private static CourierClient client(Credentials credentials) {
        return CourierClient.builder(TestCourier.gateway(), TestCourier.sync())
                .credentials(credentials)
                .settings(HINTS_ONLY)
                .build();
    }
}
