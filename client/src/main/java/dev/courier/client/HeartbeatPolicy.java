package dev.courier.client;

import java.time.Duration;

/**
 * The heartbeat interval of one long link, adapted to the network as WeChat's Mars does: a ping keeps NAT and proxy
 * mappings alive and proves the link, but every ping costs radio time, so the interval starts short and widens by one
 * step (a quarter of the range) with every pong that came back in time. A drop halves the interval (not below the
 * minimum) and lowers the ceiling to one step under the interval that failed, so the link does not widen straight back
 * into a NAT timeout; after a run of successes at the ceiling, the ceiling is probed one step higher again, up to the
 * maximum.
 */
final class HeartbeatPolicy {

    /** Successes at the ceiling before it is probed one step higher. */
    static final int PROBE_AFTER = 5;

    private final long min;

    private final long max;

    private final long step;

    private long current;

    private long ceiling;

    private int atCeiling;

    HeartbeatPolicy(Duration min, Duration max) {
        this.min = min.toMillis();
        this.max = max.toMillis();
        this.step = Math.max((this.max - this.min) / 4, Math.min(1000, this.max - this.min));
        this.current = this.min;
        this.ceiling = this.max;
    }

    /** How long to wait before the next ping. */
    synchronized Duration interval() {
        return Duration.ofMillis(current);
    }

    /** A pong came back in time. */
    synchronized void succeeded() {
        if (current >= ceiling) {
            if (++atCeiling >= PROBE_AFTER && ceiling < max) {
                ceiling = Math.min(max, ceiling + step);
                atCeiling = 0;
            }
        }
        current = Math.min(ceiling, current + step);
    }

    /** The link dropped (no pong in time, or the connection was lost). */
    synchronized void dropped() {
        ceiling = Math.max(min, Math.min(ceiling, current - step));
        current = Math.max(min, current / 2);
        atCeiling = 0;
    }
}
