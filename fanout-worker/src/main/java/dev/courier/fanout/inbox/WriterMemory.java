package dev.courier.fanout.inbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.courier.store.ConversationRepository;
import dev.courier.store.ConversationRepository.State;

/**
 * What the inbox writer committed last for the users of its partitions: their counters ({@code inbox_heads}) and their
 * conversation states, so that a batch reads from the database only the users and states it has not written yet. The
 * writer is their only writer (one per partition, DESIGN.md), so what it committed is what the database holds, as long
 * as it owned the partitions throughout: everything is forgotten when partitions are assigned (every rebalance ends
 * with an assignment, before the next batch), when a batch fails in any way (its commit may have happened or not), and
 * when more than {@code limit} states are held. A batch that the database refuses after using what was remembered is
 * tried once more from the database (see {@link InboxListener}): another writer may have written these inboxes while
 * this one did not know yet that it had lost them. Retention writes only {@code trimmed_seq}, which is not held here.
 * Thread-safe: each consumer thread reads and writes only the users of its own partitions.
 */
final class WriterMemory {

    private final int limit;

    private final Map<String, InboxRepository.Head> heads = new ConcurrentHashMap<>();

    private final Map<ConversationRepository.Key, State> states = new ConcurrentHashMap<>();

    /** @param limit the most states held (0: nothing is remembered); as many heads at most */
    WriterMemory(int limit) {
        this.limit = limit;
    }

    static WriterMemory none() {
        return new WriterMemory(0);
    }

    /** The counters of these users: those remembered, the others read with {@code read}. */
    Map<String, InboxRepository.Head> heads(
            Collection<String> users, Function<Collection<String>, Map<String, InboxRepository.Head>> read) {
        Map<String, InboxRepository.Head> found = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String user : users) {
            InboxRepository.Head head = heads.get(user);
            if (head != null) {
                found.put(user, head);
            } else {
                missing.add(user);
            }
        }
        if (!missing.isEmpty()) {
            found.putAll(read.apply(missing));
        }
        return found;
    }

    /** The states of these keys that exist: those remembered, the others read with {@code read}. */
    Map<ConversationRepository.Key, State> states(
            Collection<ConversationRepository.Key> keys,
            Function<Collection<ConversationRepository.Key>, Map<ConversationRepository.Key, State>> read) {
        Map<ConversationRepository.Key, State> found = new HashMap<>();
        List<ConversationRepository.Key> missing = new ArrayList<>();
        for (ConversationRepository.Key key : keys) {
            State state = states.get(key);
            if (state != null) {
                found.put(key, state);
            } else {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            found.putAll(read.apply(missing));
        }
        return found;
    }

    /** After a batch committed: its counters and states are what the database holds now. */
    void remember(Map<String, InboxRepository.Head> committedHeads, Map<ConversationRepository.Key, State> committed) {
        if (limit == 0) {
            return;
        }
        if (states.size() + committed.size() > limit || heads.size() + committedHeads.size() > limit) {
            forget();
        }
        heads.putAll(committedHeads);
        states.putAll(committed);
    }

    /** @return whether anything was remembered */
    boolean forget() {
        boolean held = !heads.isEmpty() || !states.isEmpty();
        heads.clear();
        states.clear();
        return held;
    }
}
