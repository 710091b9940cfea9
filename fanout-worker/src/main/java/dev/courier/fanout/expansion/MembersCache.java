package dev.courier.fanout.expansion;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.courier.store.MembershipRepository;

/**
 * The members of groups at given versions, kept across batches. The members of a group at a version never change
 * (a membership change makes a new version), so an entry never goes stale; only the current version of a group must
 * be read again for every batch. Least recently used entries go first once the cache holds more than
 * {@code maxEntries} lists or {@code maxMembers} member ids in all. Safe for the stage's consumer threads.
 */
final class MembersCache {

    private final int maxEntries;

    private final long maxMembers;

    private final LinkedHashMap<MembershipRepository.GroupVersion, List<String>> lists =
            new LinkedHashMap<>(256, 0.75f, true);

    private long members;

    MembersCache(int maxEntries, long maxMembers) {
        this.maxEntries = maxEntries;
        this.maxMembers = maxMembers;
    }

    synchronized @Nullable List<String> get(MembershipRepository.GroupVersion group) {
        return lists.get(group);
    }

    /** Keeps lists read from committed membership history (the caller makes sure of it). */
    synchronized void putAll(Map<MembershipRepository.GroupVersion, List<String>> learned) {
        learned.forEach((group, users) -> {
            List<String> previous = lists.put(group, List.copyOf(users));
            members += users.size() - (previous == null ? 0 : previous.size());
        });
        Iterator<List<String>> eldest = lists.values().iterator();
        while ((lists.size() > maxEntries || members > maxMembers) && eldest.hasNext()) {
            members -= eldest.next().size();
            eldest.remove();
        }
    }

    synchronized int size() {
        return lists.size();
    }
}
