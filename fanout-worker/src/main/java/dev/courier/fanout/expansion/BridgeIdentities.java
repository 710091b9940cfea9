package dev.courier.fanout.expansion;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Which users are bridge identities, remembered: an account's kind never changes and accounts are never deleted, so an
 * answer never goes stale. A bridge identity is {@code <system>.<from>}, so an id without a dot is never one and is
 * not looked up at all. Users without an account are asked again next time. Safe for the stage's consumer threads.
 */
final class BridgeIdentities {

    private final int limit;

    private final Map<String, Boolean> known = new ConcurrentHashMap<>();

    BridgeIdentities(int limit) {
        this.limit = limit;
    }

    /**
     * Looks up, in one call of {@code lookup}, the users among these whose kind is not known yet (the answer maps each
     * user with an account to whether it is a bridge identity).
     */
    void learn(Collection<String> users, Function<Collection<String>, Map<String, Boolean>> lookup) {
        Set<String> unknown = new TreeSet<>();
        for (String user : users) {
            if (user.indexOf('.') > 0 && !known.containsKey(user)) {
                unknown.add(user);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Map<String, Boolean> found = lookup.apply(unknown);
        if (known.size() + found.size() > limit) {
            known.clear();
        }
        known.putAll(found);
    }

    /** The bridge identities among these users, as far as {@link #learn} found them. */
    List<String> among(List<String> users) {
        List<String> bridge = null;
        for (String user : users) {
            if (user.indexOf('.') > 0 && Boolean.TRUE.equals(known.get(user))) {
                if (bridge == null) {
                    bridge = new ArrayList<>();
                }
                bridge.add(user);
            }
        }
        return bridge == null ? List.of() : bridge;
    }
}
