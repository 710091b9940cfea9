package dev.courier.fanout.expansion;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.Records;
import dev.courier.store.GroupRepository;
import dev.courier.store.GroupRepository.Group;

import static dev.courier.fanout.TestRecords.added;
import static dev.courier.fanout.TestRecords.admin;
import static dev.courier.fanout.TestRecords.dissolved;
import static dev.courier.fanout.TestRecords.muted;
import static dev.courier.fanout.TestRecords.owner;
import static dev.courier.fanout.TestRecords.removed;
import static dev.courier.fanout.TestRecords.renamed;
import static dev.courier.fanout.TestRecords.unmuted;
import static dev.courier.fanout.TestRecords.updated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every rule of a group at one point of its log, and every refusal with its code: the owner ("olga") names admins,
 * transfers and dissolves; the owner and admins ("adam") add, remove, rename, announce and mute; only the owner removes
 * or mutes an admin; a member ("mia") may leave; the owner may not; a dissolved group takes nothing.
 */
class GroupRulesTests {

    private static final Set<String> MEMBERS = Set.of("olga", "adam", "mia", "max");

    private static final Group GROUP =
            new Group("team", "Team", "olga", "", false, null, 3, 2, 1_000, Set.of("adam"), Map.of());

    @Test
    void ownerAndAdminsAddMembersAndTheSystemMessageNamesOnlyThoseNotMembersYet() {
        for (String by : List.of("olga", "adam")) {
            GroupRules.Outcome outcome = decide(
                    new ConversationRecord.MembersAdded("e", "team", List.of("zoe", "mia", "yan"), by, Instant.now()));

            assertThat(outcome.joined()).containsExactly("yan", "zoe");
            assertThat(outcome.event().toString())
                    .isEqualTo("{\"event\":\"members.added\",\"userIds\":[\"yan\",\"zoe\"]}");
            assertThat(outcome.after().version()).isEqualTo(4);
            assertThat(outcome.after().membersVersion()).isEqualTo(3);
        }
        assertRefused(added("team", "zoe", "mia"), ErrorCode.FORBIDDEN, "only the owner or an admin");
    }

    @Test
    void addingOnlyMembersChangesNothing() {
        GroupRules.Outcome outcome = decide(added("team", "mia", "olga"));

        assertThat(outcome.event()).isNull();
        assertThat(outcome.after()).isSameAs(GROUP);
    }

    @Test
    void aBridgeJoinsOnlyItsOwnIdentitiesAndMakesNoOtherChange() {
        GroupRules.Outcome joined = decide(
                new ConversationRecord.MembersAdded("e", "team", List.of("weibo.ext1"), "bridge:weibo", Instant.now()));
        assertThat(joined.joined()).containsExactly("weibo.ext1");

        assertRefused(
                new ConversationRecord.MembersAdded("e", "team", List.of("zoe"), "bridge:weibo", Instant.now()),
                ErrorCode.FORBIDDEN,
                "its own identities");
        assertRefused(renamed("team", "Hijacked", "bridge:weibo"), ErrorCode.FORBIDDEN, "only joins");
    }

    @Test
    void aMemberLeavesAndTheOwnerAndAdminsRemoveMembersButOnlyTheOwnerRemovesAnAdmin() {
        GroupRules.Outcome left = decide(removed("team", "mia", "mia"));
        assertThat(left.leaving()).isEqualTo("mia");
        assertThat(left.event().toString()).isEqualTo("{\"event\":\"member.removed\",\"userId\":\"mia\"}");
        assertThat(left.after().membersVersion()).isEqualTo(3);

        assertThat(decide(removed("team", "mia", "adam")).leaving()).isEqualTo("mia");
        GroupRules.Outcome adminRemoved = decide(removed("team", "adam", "olga"));
        assertThat(adminRemoved.after().admins()).isEmpty();

        assertRefused(removed("team", "max", "mia"), ErrorCode.FORBIDDEN, "only the owner or an admin");
        Group twoAdmins = withAdmins(Set.of("adam", "mia"));
        assertRefused(twoAdmins, removed("team", "adam", "mia"), ErrorCode.FORBIDDEN, "only the owner of g:team");
        assertRefused(removed("team", "olga", "olga"), ErrorCode.CONFLICT, "the owner cannot leave");
        assertRefused(removed("team", "zoe", "olga"), ErrorCode.NOT_FOUND, "zoe is not a member");
    }

    @Test
    void aRemovedMemberStopsBeingAnAdminAndMuted() {
        Group group =
                new Group("team", "Team", "olga", "", false, null, 3, 2, 1_000, Set.of("adam"), Map.of("adam", 5_000L));

        GroupRules.Outcome outcome = GroupRules.decide(group, MEMBERS, removed("team", "adam", "olga"));

        assertThat(outcome.after().admins()).isEmpty();
        assertThat(outcome.after().mutes()).isEmpty();
    }

    @Test
    void anUpdateNamesOnlyWhatChangedAndOneThatChangesNothingMakesNoMessage() {
        GroupRules.Outcome outcome = decide(updated("team", "Team", "Ship on Friday", true, "adam"));

        assertThat(outcome.event().toString())
                .isEqualTo("{\"event\":\"group.updated\",\"announcement\":\"Ship on Friday\",\"muted\":true}");
        assertThat(outcome.after().name()).isEqualTo("Team");
        assertThat(outcome.after().announcement()).isEqualTo("Ship on Friday");
        assertThat(outcome.after().muted()).isTrue();
        assertThat(outcome.after().version()).isEqualTo(4);
        assertThat(outcome.after().membersVersion()).isEqualTo(2);

        assertThat(decide(renamed("team", "Team", "olga")).event()).isNull();
        assertRefused(renamed("team", "Mine", "mia"), ErrorCode.FORBIDDEN, "only the owner or an admin");
    }

    @Test
    void onlyTheOwnerNamesAndRemovesAdminsOfMembersAndNeverOfItself() {
        GroupRules.Outcome named = decide(admin("team", "mia", true, "olga"));
        assertThat(named.after().admins()).containsExactlyInAnyOrder("adam", "mia");
        assertThat(named.event().toString()).isEqualTo("{\"event\":\"admin.added\",\"userId\":\"mia\"}");
        GroupRules.Outcome removed = decide(admin("team", "adam", false, "olga"));
        assertThat(removed.after().admins()).isEmpty();
        assertThat(removed.event().toString()).isEqualTo("{\"event\":\"admin.removed\",\"userId\":\"adam\"}");

        assertThat(decide(admin("team", "adam", true, "olga")).event())
                .as("an admin named again")
                .isNull();
        assertThat(decide(admin("team", "mia", false, "olga")).event())
                .as("a member who is no admin")
                .isNull();
        assertRefused(admin("team", "mia", true, "adam"), ErrorCode.FORBIDDEN, "only the owner names admins");
        assertRefused(admin("team", "zoe", true, "olga"), ErrorCode.NOT_FOUND, "zoe is not a member");
        assertRefused(admin("team", "olga", true, "olga"), ErrorCode.CONFLICT, "the owner is not an admin");
    }

    @Test
    void aTransferMakesTheOldOwnerAnAdminAndTheNewOneNeitherAdminNorMuted() {
        Group group =
                new Group("team", "Team", "olga", "", false, null, 3, 2, 1_000, Set.of("adam"), Map.of("adam", 9_000L));

        GroupRules.Outcome outcome = GroupRules.decide(group, MEMBERS, owner("team", "adam", "olga"));

        assertThat(outcome.after().ownerId()).isEqualTo("adam");
        assertThat(outcome.after().admins()).containsExactly("olga");
        assertThat(outcome.after().mutes()).isEmpty();
        assertThat(outcome.event().toString()).isEqualTo("{\"event\":\"owner.changed\",\"userId\":\"adam\"}");
        assertRefused(owner("team", "mia", "adam"), ErrorCode.FORBIDDEN, "only the owner transfers");
        assertRefused(owner("team", "zoe", "olga"), ErrorCode.NOT_FOUND, "zoe is not a member");
        assertRefused(owner("team", "olga", "olga"), ErrorCode.CONFLICT, "already");
    }

    @Test
    void theOwnerAndAdminsMuteMembersButOnlyTheOwnerAnAdminAndNobodyTheOwner() {
        Instant until = Instant.now().plusSeconds(60);
        GroupRules.Outcome outcome = decide(muted("team", "mia", until, "adam"));
        assertThat(outcome.after().mutes()).containsEntry("mia", until.toEpochMilli());
        assertThat(outcome.event()).as("a member's mute is no system message").isNull();
        assertThat(outcome.after().version())
                .as("nor a change of the group object")
                .isEqualTo(3);
        assertThat(decide(muted("team", "mia", null, "olga")).after().mutes())
                .containsEntry("mia", GroupRepository.UNTIL_UNMUTED);
        assertThat(decide(muted("team", "adam", until, "olga")).after().mutes()).containsKey("adam");

        assertRefused(muted("team", "max", until, "mia"), ErrorCode.FORBIDDEN, "only the owner or an admin");
        assertRefused(muted("team", "adam", until, "adam"), ErrorCode.FORBIDDEN, "only the owner of g:team may mute");
        assertRefused(muted("team", "olga", until, "adam"), ErrorCode.CONFLICT, "cannot be muted");
        assertRefused(muted("team", "zoe", until, "olga"), ErrorCode.NOT_FOUND, "zoe is not a member");
        assertRefused(
                muted("team", "mia", Instant.now().minusSeconds(1), "olga"),
                ErrorCode.INVALID_REQUEST,
                "until: must be in the future");
    }

    @Test
    void anUnmuteOfAMemberNotMutedChangesNothing() {
        Group group =
                new Group("team", "Team", "olga", "", false, null, 3, 2, 1_000, Set.of("adam"), Map.of("mia", 9_000L));

        assertThat(GroupRules.decide(group, MEMBERS, unmuted("team", "mia", "adam"))
                        .after()
                        .mutes())
                .isEmpty();
        assertThat(decide(unmuted("team", "mia", "adam")).after()).isSameAs(GROUP);
    }

    @Test
    void onlyTheOwnerDissolvesAndADissolvedGroupTakesNoChange() {
        GroupRules.Outcome outcome = decide(dissolved("team", "olga"));
        assertThat(outcome.after().dissolved()).isTrue();
        assertThat(outcome.after().version()).isEqualTo(4);
        assertThat(outcome.event().toString()).isEqualTo("{\"event\":\"group.dissolved\"}");
        assertRefused(dissolved("team", "adam"), ErrorCode.FORBIDDEN, "only the owner dissolves");

        for (ConversationRecord.GroupChange change : List.of(
                added("team", "zoe", "olga"),
                removed("team", "mia", "mia"),
                renamed("team", "Again", "olga"),
                admin("team", "mia", true, "olga"),
                owner("team", "adam", "olga"),
                muted("team", "mia", null, "olga"),
                dissolved("team", "olga"))) {
            assertRefused(outcome.after(), change, ErrorCode.NOT_FOUND, "g:team is dissolved");
        }
    }

    @Test
    void aMutedMemberOrAMemberOfAMutedGroupMayNotSendUntilTheMuteEnds() {
        Group group =
                new Group("team", "Team", "olga", "", false, null, 3, 2, 1_000, Set.of("adam"), Map.of("mia", 5_000L));
        assertThatThrownBy(() -> GroupRules.requireMaySend(group, "mia", 4_999))
                .isInstanceOfSatisfying(
                        Records.InvalidRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("mia is muted");
        GroupRules.requireMaySend(group, "mia", 5_000);
        GroupRules.requireMaySend(group, "max", 0);

        Group silent = new Group("team", "Team", "olga", "", true, null, 3, 2, 1_000, Set.of("adam"), Map.of());
        assertThatThrownBy(() -> GroupRules.requireMaySend(silent, "max", 0))
                .hasMessageContaining("only the owner and admins send");
        GroupRules.requireMaySend(silent, "olga", 0);
        GroupRules.requireMaySend(silent, "adam", 0);
    }

    private static GroupRules.Outcome decide(ConversationRecord.GroupChange change) {
        return GroupRules.decide(GROUP, MEMBERS, change);
    }

    private static Group withAdmins(Set<String> admins) {
        return new Group("team", "Team", "olga", "", false, null, 3, 2, 1_000, admins, Map.of());
    }

    private static void assertRefused(ConversationRecord.GroupChange change, ErrorCode code, String detail) {
        assertRefused(GROUP, change, code, detail);
    }

    private static void assertRefused(
            Group group, ConversationRecord.GroupChange change, ErrorCode code, String detail) {
        assertThatThrownBy(() -> GroupRules.decide(group, MEMBERS, change))
                .isInstanceOfSatisfying(
                        Records.InvalidRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(code))
                .hasMessageContaining(detail);
    }
}
