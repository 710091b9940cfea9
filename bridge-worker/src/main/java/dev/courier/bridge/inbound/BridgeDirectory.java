package dev.courier.bridge.inbound;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import dev.courier.store.AccountRepository;
import dev.courier.store.MembershipRepository;

/**
 * What inbound needs to know of Courier: bridge identities (created on first use as accounts of kind {@code bridge},
 * without a password, so they are ordinary users that can be added to groups), whether targets exist, and whether an
 * identity must join a group. The answers about ids are cached: ids are never deleted, so a burst from few senders to
 * few targets costs few queries. Membership is read from the database, which the fanout-worker keeps in log order.
 */
@Component
class BridgeDirectory {

    private static final int CACHE_LIMIT = 100_000;

    private final AccountRepository accounts;

    private final MembershipRepository memberships;

    private final Clock clock;

    private final Set<String> identities = ConcurrentHashMap.newKeySet();

    private final Set<String> users = ConcurrentHashMap.newKeySet();

    private final Set<String> groups = ConcurrentHashMap.newKeySet();

    /**
     * Joins in the group's log that Kafka acknowledged, by {@code group + " " + identity}, with their event ids: until
     * the fanout-worker applied one, the identity counts as a member (its message follows the join in the log).
     */
    private final Map<String, String> joining = new ConcurrentHashMap<>();

    BridgeDirectory(AccountRepository accounts, MembershipRepository memberships, Clock clock) {
        this.accounts = accounts;
        this.memberships = memberships;
        this.clock = clock;
    }

    /** Creates the identity if needed; false when the id belongs to a person's account. */
    boolean ensureIdentity(String identity, String system, String from) {
        if (identities.contains(identity)) {
            return true;
        }
        Optional<String> kind = accounts.kind(identity);
        if (kind.isEmpty()) {
            try {
                accounts.createBridgeIdentity(identity, from + " (" + system + ")", clock.millis());
                kind = Optional.of("bridge");
            } catch (DuplicateKeyException e) {
                kind = accounts.kind(identity);
            }
        }
        boolean bridge = kind.filter("bridge"::equals).isPresent();
        if (bridge) {
            remember(identities, identity);
        }
        return bridge;
    }

    boolean userExists(String userId) {
        if (users.contains(userId)) {
            return true;
        }
        boolean exists = accounts.exists(userId);
        if (exists) {
            remember(users, userId);
        }
        return exists;
    }

    boolean groupExists(String groupId) {
        if (groups.contains(groupId)) {
            return true;
        }
        boolean exists = memberships.exists(groupId);
        if (exists) {
            remember(groups, groupId);
        }
        return exists;
    }

    /**
     * Whether the identity must be asked to join the group before its message: not when it is a member now, nor while
     * an acknowledged join is on its way through the group's log. An identity that was removed from the group after
     * it joined is asked to join again.
     */
    boolean needsToJoin(String groupId, String identity) {
        String pair = groupId + " " + identity;
        boolean member = memberships.isMemberNow(groupId, identity);
        String eventId = joining.get(pair);
        if (member || eventId == null) {
            if (eventId != null) {
                joining.remove(pair, eventId);
            }
            return !member;
        }
        if (!memberships.isApplied(eventId)) {
            return false; // acknowledged, not applied yet
        }
        joining.remove(pair, eventId); // applied, and the identity has left since
        return true;
    }

    /** Remembers a join once Kafka acknowledged it (never before: a join that failed must be sent again). */
    void joined(String groupId, String identity, String eventId) {
        if (joining.size() > CACHE_LIMIT) {
            joining.clear();
        }
        joining.put(groupId + " " + identity, eventId);
    }

    private static void remember(Set<String> cache, String value) {
        if (cache.size() > CACHE_LIMIT) {
            cache.clear();
        }
        cache.add(value);
    }
}
