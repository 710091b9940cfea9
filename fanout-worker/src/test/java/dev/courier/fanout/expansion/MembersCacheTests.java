package dev.courier.fanout.expansion;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.courier.store.MembershipRepository.GroupVersion;

import static org.assertj.core.api.Assertions.assertThat;

/** The member lists kept across batches stay within both bounds, the least recently used going first. */
class MembersCacheTests {

    private static final GroupVersion A = new GroupVersion("a", 1);

    private static final GroupVersion B = new GroupVersion("b", 1);

    private static final GroupVersion C = new GroupVersion("c", 1);

    @Test
    void keepsEachGroupVersionAsItWasLearned() {
        MembersCache cache = new MembersCache(10, 100);

        cache.putAll(Map.of(A, List.of("alice", "bob"), new GroupVersion("a", 2), List.of("alice")));

        assertThat(cache.get(A)).containsExactly("alice", "bob");
        assertThat(cache.get(new GroupVersion("a", 2))).containsExactly("alice");
        assertThat(cache.get(new GroupVersion("a", 3))).isNull();
    }

    @Test
    void beyondItsListsTheLeastRecentlyUsedGoesFirst() {
        MembersCache cache = new MembersCache(2, 100);
        cache.putAll(Map.of(A, List.of("alice")));
        cache.putAll(Map.of(B, List.of("bob")));
        cache.get(A);

        cache.putAll(Map.of(C, List.of("carol")));

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(B)).isNull();
        assertThat(cache.get(A)).containsExactly("alice");
        assertThat(cache.get(C)).containsExactly("carol");
    }

    @Test
    void beyondItsMemberIdsTheLeastRecentlyUsedListsGoUntilItFits() {
        MembersCache cache = new MembersCache(10, 5);
        cache.putAll(Map.of(A, List.of("a1", "a2")));
        cache.putAll(Map.of(B, List.of("b1", "b2")));

        cache.putAll(Map.of(C, List.of("c1", "c2", "c3")));

        assertThat(cache.get(A)).isNull();
        assertThat(cache.get(B)).containsExactly("b1", "b2");
        assertThat(cache.get(C)).containsExactly("c1", "c2", "c3");
    }

    @Test
    void aListLargerThanTheWholeBoundIsNotKept() {
        MembersCache cache = new MembersCache(10, 2);

        cache.putAll(Map.of(A, List.of("a1", "a2", "a3")));

        assertThat(cache.get(A)).isNull();
        assertThat(cache.size()).isZero();
    }
}
