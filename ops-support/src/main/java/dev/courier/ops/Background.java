package dev.courier.ops;

/**
 * The names of the two beans on which every service runs its background work (see {@link OpsAutoConfiguration}):
 * components take them by injection, never start threads of their own, so a test runs them deterministically.
 */
public final class Background {

    /** A {@link org.springframework.scheduling.TaskScheduler} for timers and periodic jobs (keep its tasks short). */
    public static final String SCHEDULER = "courierScheduler";

    /** A {@link java.util.concurrent.Executor} that runs each task on a virtual thread of its own. */
    public static final String EXECUTOR = "courierExecutor";

    private Background() {}
}
