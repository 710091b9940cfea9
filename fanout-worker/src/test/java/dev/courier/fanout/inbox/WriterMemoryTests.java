package dev.courier.fanout.inbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.courier.store.ConversationRepository;
import dev.courier.store.ConversationRepository.State;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WriterMemory}: only what was not committed by this writer is read, a limit or a forget empties it, and with
 * no room nothing is remembered.
 */
class WriterMemoryTests {

    private final List<Collection<String>> headReads = new ArrayList<>();

    private final List<Collection<ConversationRepository.Key>> stateReads = new ArrayList<>();

    private final InboxRepository.Head head = new InboxRepository.Head(3, 2, 1, 0);

    private Map<String, InboxRepository.Head> readHeads(Collection<String> users) {
        headReads.add(List.copyOf(users));
        return Map.of();
    }

    private Map<ConversationRepository.Key, State> readStates(Collection<ConversationRepository.Key> keys) {
        stateReads.add(List.copyOf(keys));
        return Map.of();
    }

    @Test
    void whatWasCommittedIsNotReadAgainAndTheRestIs() {
        WriterMemory memory = new WriterMemory(10);
        ConversationRepository.Key key = new ConversationRepository.Key("alice", "d:alice:bob");
        State state = State.fresh("alice", "d:alice:bob");
        memory.remember(Map.of("alice", head), Map.of(key, state));

        assertThat(memory.heads(List.of("alice", "bob"), this::readHeads)).containsExactly(Map.entry("alice", head));
        assertThat(headReads).containsExactly(List.of("bob"));
        ConversationRepository.Key other = new ConversationRepository.Key("bob", "d:alice:bob");
        assertThat(memory.states(List.of(key, other), this::readStates)).containsExactly(Map.entry(key, state));
        assertThat(stateReads).containsExactly(List.of(other));
    }

    @Test
    void forgettingOrOutgrowingTheLimitEmptiesItAndWithNoRoomNothingIsKept() {
        WriterMemory memory = new WriterMemory(2);
        memory.remember(Map.of("alice", head), Map.of());
        assertThat(memory.forget()).isTrue();
        assertThat(memory.forget()).as("already empty").isFalse();

        memory.remember(Map.of("alice", head, "bob", head), Map.of());
        memory.remember(Map.of("carol", head), Map.of());
        memory.heads(List.of("alice", "carol"), this::readHeads);
        assertThat(headReads).as("alice and bob were forgotten for carol").containsExactly(List.of("alice"));

        WriterMemory none = WriterMemory.none();
        none.remember(Map.of("alice", head), Map.of());
        assertThat(none.forget()).isFalse();
    }
}
