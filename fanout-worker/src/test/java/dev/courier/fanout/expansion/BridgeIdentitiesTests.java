package dev.courier.fanout.expansion;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which recipients are bridge identities, looked up once each, and only for ids that can be one. */
class BridgeIdentitiesTests {

    private final List<List<String>> lookups = new ArrayList<>();

    private final Map<String, Boolean> accounts = Map.of("weibo.a", true, "jane.doe", false, "weibo.b", true);

    private final Function<Collection<String>, Map<String, Boolean>> lookup = users -> {
        lookups.add(List.copyOf(users));
        Map<String, Boolean> found = new HashMap<>();
        users.forEach(user -> {
            if (accounts.containsKey(user)) {
                found.put(user, accounts.get(user));
            }
        });
        return found;
    };

    @Test
    void idsWithoutADotAreNeverLookedUpNorBridgeIdentities() {
        BridgeIdentities identities = new BridgeIdentities(100);

        identities.learn(List.of("alice", "bob"), lookup);

        assertThat(lookups).isEmpty();
        assertThat(identities.among(List.of("alice", "bob"))).isEmpty();
    }

    @Test
    void reportsTheBridgeIdentitiesAmongTheRecipientsInTheirOrder() {
        BridgeIdentities identities = new BridgeIdentities(100);

        identities.learn(List.of("weibo.b", "alice", "jane.doe", "weibo.a"), lookup);

        assertThat(identities.among(List.of("weibo.b", "alice", "jane.doe", "weibo.a")))
                .containsExactly("weibo.b", "weibo.a");
    }

    @Test
    void aKnownKindIsNotLookedUpAgainButAUserWithoutAnAccountIs() {
        BridgeIdentities identities = new BridgeIdentities(100);
        identities.learn(List.of("weibo.a", "jane.doe", "ghost.x"), lookup);

        identities.learn(List.of("weibo.a", "jane.doe", "ghost.x"), lookup);

        assertThat(lookups).containsExactly(List.of("ghost.x", "jane.doe", "weibo.a"), List.of("ghost.x"));
        assertThat(identities.among(List.of("ghost.x"))).isEmpty();
    }

    @Test
    void beyondItsLimitItForgetsAndLooksUpAgain() {
        BridgeIdentities identities = new BridgeIdentities(2);
        identities.learn(List.of("weibo.a", "jane.doe"), lookup);

        identities.learn(List.of("weibo.b"), lookup);
        identities.learn(List.of("weibo.a", "weibo.b"), lookup);

        assertThat(lookups).containsExactly(List.of("jane.doe", "weibo.a"), List.of("weibo.b"), List.of("weibo.a"));
        assertThat(identities.among(List.of("weibo.a", "weibo.b"))).containsExactly("weibo.a", "weibo.b");
    }
}
