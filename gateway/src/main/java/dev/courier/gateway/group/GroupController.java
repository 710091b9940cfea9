package dev.courier.gateway.group;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.Ids;
import dev.courier.common.Records;
import dev.courier.common.Text;
import dev.courier.gateway.ChangeOutcomes;
import dev.courier.gateway.ConversationPublisher;
import dev.courier.gateway.GatewayProperties;
import dev.courier.store.AccountRepository;
import dev.courier.store.GroupRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;
import dev.courier.web.GroupView;

/**
 * Groups (PROTOCOL.md, "Groups"). Creation is immediate; every other change travels the group's log and takes effect
 * at its point there, where the expansion stage decides it by the same rules the calls check here early for a clear
 * answer. Adding and removing members answer 202 once the change is in the log; the administration calls answer once
 * the change is decided (or 202 when that takes longer than the change timeout).
 */
@RestController
class GroupController {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final MembershipRepository memberships;

    private final GroupRepository groups;

    private final AccountRepository accounts;

    private final ConversationPublisher publisher;

    private final ChangeOutcomes changes;

    private final Clock clock;

    private final GatewayProperties properties;

    GroupController(
            MembershipRepository memberships,
            GroupRepository groups,
            AccountRepository accounts,
            ConversationPublisher publisher,
            ChangeOutcomes changes,
            Clock clock,
            GatewayProperties properties) {
        this.memberships = memberships;
        this.groups = groups;
        this.accounts = accounts;
        this.publisher = publisher;
        this.changes = changes;
        this.clock = clock;
        this.properties = properties;
    }

    @PostMapping("/v1/groups")
    @ResponseStatus(HttpStatus.CREATED)
    GroupView create(Caller caller, @Valid @RequestBody CreateGroup request) {
        requireText("name", request.name(), 1, Records.MAX_GROUP_NAME_CHARS);
        Set<String> members = new TreeSet<>(validUserIds(request.members(), "members"));
        members.add(caller.userId());
        if (members.size() > properties.maxGroupSize()) {
            throw ApiException.invalid(
                    "members: a group has at most " + properties.maxGroupSize() + " members, the owner included");
        }
        members.remove(caller.userId());
        requireAccounts(members, "members");
        members.add(caller.userId());
        String groupId = request.groupId() != null ? request.groupId() : newGroupId();
        try {
            memberships.create(groupId, request.name(), caller.userId(), members, clock.millis());
        } catch (DuplicateKeyException e) {
            // a retry of a creation that went through (its answer lost) is answered again; anything else is a clash
            GroupRepository.Group taken = groups.find(groupId).orElseThrow(() -> e);
            boolean retry = taken.ownerId().equals(caller.userId())
                    && taken.name().equals(request.name())
                    && taken.version() == 1
                    && memberships.membersAt(groupId, 1).equals(List.copyOf(members));
            if (!retry) {
                throw new ApiException(ErrorCode.CONFLICT, "groupId: '" + groupId + "' is taken");
            }
        }
        // the group's first entry, group.created; the expansion stage would make it at the group's first record anyway
        publisher.publish(new ConversationRecord.GroupCreated(groupId, caller.userId(), now()));
        return view(groupId);
    }

    @GetMapping("/v1/groups")
    GroupList list(Caller caller) {
        return new GroupList(groups.details(groups.groupsOf(caller.userId())).stream()
                .map(GroupView::of)
                .toList());
    }

    @GetMapping("/v1/groups/{groupId}")
    GroupView get(Caller caller, @PathVariable String groupId) {
        openGroup(groupId, caller);
        return view(groupId);
    }

    @PostMapping("/v1/groups/{groupId}/members")
    @ResponseStatus(HttpStatus.ACCEPTED)
    MembershipAccepted add(Caller caller, @PathVariable String groupId, @Valid @RequestBody AddMembers request) {
        GroupRepository.Group group = openGroup(groupId, caller);
        requireManager(group, caller, "add members to");
        List<String> userIds = List.copyOf(new TreeSet<>(validUserIds(request.userIds(), "userIds")));
        requireAccounts(userIds, "userIds");
        Set<String> after = new TreeSet<>(memberships.membersNow(groupId));
        after.addAll(userIds);
        if (after.size() > properties.maxGroupSize()) {
            throw new ApiException(
                    ErrorCode.CONFLICT,
                    "g:" + groupId + " would have " + after.size() + " members; a group has at most "
                            + properties.maxGroupSize());
        }
        publisher.publish(new ConversationRecord.MembersAdded(
                UUID.randomUUID().toString(), groupId, userIds, caller.userId(), now()));
        return new MembershipAccepted(groupId, userIds);
    }

    @DeleteMapping("/v1/groups/{groupId}/members/{userId}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    MembershipAccepted remove(Caller caller, @PathVariable String groupId, @PathVariable String userId) {
        GroupRepository.Group group = openGroup(groupId, caller);
        if (!userId.equals(caller.userId())) {
            requireManager(group, caller, "remove members of");
        }
        requireMember(groupId, userId);
        if (userId.equals(group.ownerId())) {
            throw new ApiException(ErrorCode.CONFLICT, "the owner cannot leave g:" + groupId + "; transfer it first");
        }
        if (!userId.equals(caller.userId()) && group.admins().contains(userId)) {
            requireOwner(group, caller, "removes an admin of");
        }
        publisher.publish(new ConversationRecord.MemberRemoved(
                UUID.randomUUID().toString(), groupId, userId, caller.userId(), now()));
        return new MembershipAccepted(groupId, List.of(userId));
    }

    @PatchMapping("/v1/groups/{groupId}")
    ResponseEntity<?> update(Caller caller, @PathVariable String groupId, @Valid @RequestBody GroupChange request) {
        String name = request.name();
        String announcement = request.announcement();
        if (name == null && announcement == null && request.muted() == null) {
            throw ApiException.invalid("give name, announcement or muted");
        }
        if (name != null) {
            requireText("name", name, 1, Records.MAX_GROUP_NAME_CHARS);
        }
        if (announcement != null) {
            requireText("announcement", announcement, 0, Records.MAX_ANNOUNCEMENT_CHARS);
        }
        GroupRepository.Group group = openGroup(groupId, caller);
        requireManager(group, caller, "change");
        String eventId = UUID.randomUUID().toString();
        boolean applied = changes.apply(
                new ConversationRecord.GroupUpdated(
                        eventId, groupId, name, announcement, request.muted(), caller.userId(), now()),
                eventId);
        return applied ? ResponseEntity.ok(view(groupId)) : pending(eventId);
    }

    @PutMapping("/v1/groups/{groupId}/admins/{userId}")
    ResponseEntity<?> addAdmin(Caller caller, @PathVariable String groupId, @PathVariable String userId) {
        return admin(caller, groupId, userId, true);
    }

    @DeleteMapping("/v1/groups/{groupId}/admins/{userId}")
    ResponseEntity<?> removeAdmin(Caller caller, @PathVariable String groupId, @PathVariable String userId) {
        return admin(caller, groupId, userId, false);
    }

    private ResponseEntity<?> admin(Caller caller, String groupId, String userId, boolean admin) {
        GroupRepository.Group group = openGroup(groupId, caller);
        requireOwner(group, caller, "names admins of");
        requireMember(groupId, userId);
        if (userId.equals(group.ownerId())) {
            throw new ApiException(ErrorCode.CONFLICT, userId + " owns g:" + groupId + "; the owner is not an admin");
        }
        String eventId = UUID.randomUUID().toString();
        boolean applied = changes.apply(
                new ConversationRecord.AdminChanged(eventId, groupId, userId, admin, caller.userId(), now()), eventId);
        return applied ? ResponseEntity.noContent().build() : pending(eventId);
    }

    @PostMapping("/v1/groups/{groupId}/owner")
    ResponseEntity<?> transfer(Caller caller, @PathVariable String groupId, @Valid @RequestBody Transfer request) {
        if (!Ids.isUserId(request.userId())) {
            throw ApiException.invalid("userId: " + Ids.USER_ID_RULE);
        }
        GroupRepository.Group group = openGroup(groupId, caller);
        requireOwner(group, caller, "transfers");
        requireMember(groupId, request.userId());
        if (request.userId().equals(group.ownerId())) {
            throw new ApiException(ErrorCode.CONFLICT, "userId: you own g:" + groupId + " already");
        }
        String eventId = UUID.randomUUID().toString();
        boolean applied = changes.apply(
                new ConversationRecord.OwnerChanged(eventId, groupId, request.userId(), caller.userId(), now()),
                eventId);
        return applied ? ResponseEntity.ok(view(groupId)) : pending(eventId);
    }

    @PutMapping("/v1/groups/{groupId}/mutes/{userId}")
    ResponseEntity<?> mute(
            Caller caller,
            @PathVariable String groupId,
            @PathVariable String userId,
            @Valid @RequestBody(required = false) @Nullable Mute request) {
        String asked = request == null ? null : request.until();
        Instant until = asked == null ? null : parseTime("until", asked);
        Instant now = now();
        if (until != null && (!Records.fitsEpochMillis(until) || !until.isAfter(now))) {
            throw ApiException.invalid("until: must be a time in the future");
        }
        return muted(caller, groupId, userId, true, until);
    }

    @DeleteMapping("/v1/groups/{groupId}/mutes/{userId}")
    ResponseEntity<?> unmute(Caller caller, @PathVariable String groupId, @PathVariable String userId) {
        return muted(caller, groupId, userId, false, null);
    }

    private ResponseEntity<?> muted(
            Caller caller, String groupId, String userId, boolean muted, @Nullable Instant until) {
        GroupRepository.Group group = openGroup(groupId, caller);
        requireManager(group, caller, "mute members of");
        requireMember(groupId, userId);
        if (userId.equals(group.ownerId())) {
            throw new ApiException(ErrorCode.CONFLICT, "the owner of g:" + groupId + " cannot be muted");
        }
        if (group.admins().contains(userId)) {
            requireOwner(group, caller, "mutes an admin of");
        }
        String eventId = UUID.randomUUID().toString();
        boolean applied = changes.apply(
                new ConversationRecord.MemberMuted(eventId, groupId, userId, muted, until, caller.userId(), now()),
                eventId);
        return applied ? ResponseEntity.noContent().build() : pending(eventId);
    }

    @DeleteMapping("/v1/groups/{groupId}")
    ResponseEntity<?> dissolve(Caller caller, @PathVariable String groupId) {
        GroupRepository.Group group = openGroup(groupId, caller);
        requireOwner(group, caller, "dissolves");
        String eventId = UUID.randomUUID().toString();
        boolean applied =
                changes.apply(new ConversationRecord.GroupDissolved(eventId, groupId, caller.userId(), now()), eventId);
        return applied ? ResponseEntity.noContent().build() : pending(eventId);
    }

    /** The group, which exists and is not dissolved, of which the caller is a member now. */
    private GroupRepository.Group openGroup(String groupId, Caller caller) {
        Optional<GroupRepository.Group> found = Ids.isGroupId(groupId) ? groups.find(groupId) : Optional.empty();
        GroupRepository.Group group = found.filter(existing -> !existing.dissolved())
                .orElseThrow(() -> ApiException.notFound("no group 'g:" + groupId + "'"));
        if (!memberships.isMemberNow(groupId, caller.userId())) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "you are not a member of g:" + groupId);
        }
        return group;
    }

    private void requireMember(String groupId, String userId) {
        if (!Ids.isUserId(userId) || !memberships.isMemberNow(groupId, userId)) {
            throw ApiException.notFound("userId: '" + userId + "' is not a member of g:" + groupId);
        }
    }

    private static void requireManager(GroupRepository.Group group, Caller caller, String what) {
        if (!group.manages(caller.userId())) {
            throw new ApiException(
                    ErrorCode.FORBIDDEN, "only the owner or an admin of g:" + group.groupId() + " may " + what + " it");
        }
    }

    private static void requireOwner(GroupRepository.Group group, Caller caller, String what) {
        if (!group.ownerId().equals(caller.userId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only the owner " + what + " g:" + group.groupId());
        }
    }

    /**
     * An ISO time, read here rather than by Jackson: its {@code Instant} reader takes a JSON number, or a string of
     * digits, as epoch seconds, and the protocol's input is read strictly.
     */
    private static Instant parseTime(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field + ": must be an ISO time such as 2026-11-21T10:00:00Z");
        }
    }

    private static void requireText(String field, String text, int min, int max) {
        if (!Text.isWellFormed(text) || text.length() < min || text.length() > max) {
            throw ApiException.invalid(field + ": must have " + min + " to " + max + " characters");
        }
    }

    private GroupView view(String groupId) {
        return groups.details(List.of(groupId)).stream()
                .findFirst()
                .map(GroupView::of)
                .orElseThrow(() -> ApiException.notFound("no group 'g:" + groupId + "'"));
    }

    private static ResponseEntity<Pending> pending(String eventId) {
        return ResponseEntity.accepted().body(new Pending(eventId, "pending"));
    }

    private static List<String> validUserIds(List<@Nullable String> userIds, String field) {
        List<String> valid = new ArrayList<>(userIds.size());
        for (int i = 0; i < userIds.size(); i++) {
            String userId = userIds.get(i);
            if (userId == null || !Ids.isUserId(userId)) {
                throw ApiException.invalid(field + "[" + i + "]: " + Ids.USER_ID_RULE);
            }
            valid.add(userId);
        }
        return valid;
    }

    private void requireAccounts(Collection<String> userIds, String field) {
        Set<String> missing = new TreeSet<>(userIds);
        missing.removeAll(accounts.existing(userIds));
        if (!missing.isEmpty()) {
            throw ApiException.notFound(field + ": no such users " + missing);
        }
    }

    /** Millisecond precision, as stored. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String newGroupId() {
        return "g" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    record CreateGroup(
            @Pattern(regexp = "[a-z0-9._-]{1,64}", message = Ids.USER_ID_RULE) @Nullable
            String groupId,

            @NotNull @Size(min = 1, max = 128, message = "must have 1 to 128 characters")
            String name,

            @NotNull @Size(max = 10_000) List<@Nullable String> members) {}

    record AddMembers(@NotEmpty @Size(max = 10_000) List<@Nullable String> userIds) {}

    record GroupChange(
            @Nullable String name,
            @Nullable String announcement,
            @Nullable Boolean muted) {}

    record Transfer(@NotNull String userId) {}

    record Mute(@Nullable String until) {}

    record GroupList(List<GroupView> groups) {}

    record MembershipAccepted(String groupId, List<String> userIds) {}

    /** A change in the log whose outcome was not known within the change timeout. */
    record Pending(String eventId, String status) {}
}
