package dev.courier.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatPolicyTests {

    private static final Duration MIN = Duration.ofSeconds(10);

    private static final Duration MAX = Duration.ofSeconds(50);

    private final HeartbeatPolicy policy = new HeartbeatPolicy(MIN, MAX);

    @Test
    void startsAtTheMinimum() {
        assertThat(policy.interval()).isEqualTo(MIN);
    }

    @Test
    void widensStepByStepWhileStableAndStopsAtTheMaximum() {
        List<Duration> intervals = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            policy.succeeded();
            intervals.add(policy.interval());
        }
        assertThat(intervals.subList(0, 4))
                .containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(40), MAX);
        assertThat(intervals.subList(4, 8)).containsOnly(MAX);
    }

    @Test
    void narrowsAfterADropAndDoesNotWidenStraightBackIntoIt() {
        widenTo(MAX);
        policy.dropped();
        assertThat(policy.interval()).isEqualTo(Duration.ofMillis(25_000));
        for (int i = 0; i < HeartbeatPolicy.PROBE_AFTER - 1; i++) {
            policy.succeeded();
        }
        assertThat(policy.interval())
                .as("capped one step under the interval that failed")
                .isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void repeatedDropsNarrowToTheMinimumAndNeverBelow() {
        widenTo(MAX);
        for (int i = 0; i < 10; i++) {
            policy.dropped();
            assertThat(policy.interval()).isBetween(MIN, MAX);
        }
        assertThat(policy.interval()).isEqualTo(MIN);
    }

    @Test
    void probesHigherAgainAfterARunOfSuccessesAtTheCeiling() {
        widenTo(MAX);
        policy.dropped(); // ceiling 40 s
        for (int i = 0; i < 20; i++) {
            policy.succeeded();
        }
        assertThat(policy.interval()).isEqualTo(MAX);
    }

    @Test
    void staysWithinBoundsWhenMinimumEqualsMaximum() {
        HeartbeatPolicy fixed = new HeartbeatPolicy(Duration.ofSeconds(25), Duration.ofSeconds(25));
        fixed.succeeded();
        fixed.dropped();
        fixed.succeeded();
        assertThat(fixed.interval()).isEqualTo(Duration.ofSeconds(25));
    }

    private void widenTo(Duration target) {
        while (policy.interval().compareTo(target) < 0) {
            policy.succeeded();
        }
    }
}
