package dev.courier.gateway.group;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.Ids;
import dev.courier.gateway.ConversationPublisher;
import dev.courier.gateway.GatewayProperties;
import dev.courier.store.AccountRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;

/**
 * Groups. Creation is immediate; adding and removing members is accepted (202) once the change is in the group's log,
 * where it is ordered with the group's messages.
 */
@RestController
class GroupController {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final MembershipRepository groups;

    private final AccountRepository accounts;

    private final ConversationPublisher publisher;

    private final Clock clock;

    private final GatewayProperties properties;

    GroupController(
            MembershipRepository groups,
            AccountRepository accounts,
            ConversationPublisher publisher,
            Clock clock,
            GatewayProperties properties) {
        this.properties = properties;
        this.groups = groups;
        this.accounts = accounts;
        this.publisher = publisher;
        this.clock = clock;
    }

    @PostMapping("/v1/groups")
    @ResponseStatus(HttpStatus.CREATED)
    GroupView create(Caller caller, @Valid @RequestBody CreateGroup request) {
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
            groups.create(groupId, request.name(), caller.userId(), members, clock.millis());
        } catch (DuplicateKeyException e) {
            throw new ApiException(ErrorCode.CONFLICT, "groupId: '" + groupId + "' is taken");
        }
        return new GroupView(groupId, request.name(), caller.userId(), List.copyOf(members));
    }

    @GetMapping("/v1/groups/{groupId}")
    GroupView get(Caller caller, @PathVariable String groupId) {
        MembershipRepository.Group group = existingGroup(groupId);
        if (!groups.isMemberNow(groupId, caller.userId())) {
            throw new ApiException(ErrorCode.NOT_MEMBER, "you are not a member of g:" + groupId);
        }
        return new GroupView(groupId, group.name(), group.ownerId(), groups.membersNow(groupId));
    }

    @PostMapping("/v1/groups/{groupId}/members")
    @ResponseStatus(HttpStatus.ACCEPTED)
    MembershipAccepted add(Caller caller, @PathVariable String groupId, @Valid @RequestBody AddMembers request) {
        MembershipRepository.Group group = existingGroup(groupId);
        if (!group.ownerId().equals(caller.userId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only the owner of g:" + groupId + " may add members");
        }
        List<String> userIds = List.copyOf(new TreeSet<>(validUserIds(request.userIds(), "userIds")));
        requireAccounts(userIds, "userIds");
        Set<String> after = new TreeSet<>(groups.membersNow(groupId));
        after.addAll(userIds);
        if (after.size() > properties.maxGroupSize()) {
            throw new ApiException(
                    ErrorCode.CONFLICT,
                    "g:" + groupId + " would have " + after.size() + " members; a group has at most "
                            + properties.maxGroupSize());
        }
        publisher.publish(new ConversationRecord.MembersAdded(
                UUID.randomUUID().toString(), groupId, userIds, caller.userId(), clock.instant()));
        return new MembershipAccepted(groupId, userIds);
    }

    @DeleteMapping("/v1/groups/{groupId}/members/{userId}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    MembershipAccepted remove(Caller caller, @PathVariable String groupId, @PathVariable String userId) {
        MembershipRepository.Group group = existingGroup(groupId);
        if (!group.ownerId().equals(caller.userId()) && !userId.equals(caller.userId())) {
            throw new ApiException(
                    ErrorCode.FORBIDDEN,
                    "only the owner of g:" + groupId + " or the member itself may remove a member");
        }
        if (userId.equals(group.ownerId())) {
            throw new ApiException(ErrorCode.CONFLICT, "the owner cannot leave g:" + groupId);
        }
        if (!Ids.isUserId(userId) || !accounts.exists(userId)) {
            throw ApiException.notFound("userId: no user '" + userId + "'");
        }
        publisher.publish(new ConversationRecord.MemberRemoved(
                UUID.randomUUID().toString(), groupId, userId, caller.userId(), clock.instant()));
        return new MembershipAccepted(groupId, List.of(userId));
    }

    private MembershipRepository.Group existingGroup(String groupId) {
        if (!Ids.isGroupId(groupId)) {
            throw ApiException.notFound("no group 'g:" + groupId + "'");
        }
        return groups.find(groupId).orElseThrow(() -> ApiException.notFound("no group 'g:" + groupId + "'"));
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

    record GroupView(String groupId, String name, String owner, List<String> members) {}

    record MembershipAccepted(String groupId, List<String> userIds) {}
}
