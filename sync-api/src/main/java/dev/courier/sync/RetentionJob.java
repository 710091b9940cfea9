package dev.courier.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.ops.Background;
import dev.courier.store.ChangeOutcomeRepository;
import dev.courier.store.DeviceRepository;

/**
 * Trims inbox rows that every active device of their user acknowledged (through the sync key it presented) and that
 * are older than the retention period. A device silent for longer than {@code device-inactive-after} no longer holds
 * rows back; when it returns with its old key, the trim is detected ({@code inbox_heads.trimmed_seq}) and it gets
 * {@code resync}. Idempotent, so every sync-api instance may run it.
 */
@Component
public class RetentionJob implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    private static final String USERS_AFTER = """
            SELECT user_id FROM inbox_heads WHERE user_id > :after ORDER BY user_id LIMIT 500
            """;

    private static final String HEAD = "SELECT head_seq FROM inbox_heads WHERE user_id = :userId";

    private static final String TRIM_UP_TO = """
            SELECT MAX(seq) FROM inbox WHERE user_id = :userId AND seq <= :boundary AND created_at < :olderThan
            """;

    private static final String DELETE = "DELETE FROM inbox WHERE user_id = :userId AND seq <= :upTo";

    private static final String MARK_TRIMMED = """
            UPDATE inbox_heads SET trimmed_seq = GREATEST(trimmed_seq, :upTo) WHERE user_id = :userId
            """;

    private final JdbcClient jdbc;

    private final TransactionTemplate transactions;

    private final SyncProperties.Retention retention;

    private final Clock clock;

    private final TaskScheduler scheduler;

    private final Executor executor;

    private volatile @Nullable ScheduledFuture<?> task;

    private volatile boolean running;

    private final DeviceAcknowledgements acknowledgements;

    private final DeviceRepository devices;

    private final ChangeOutcomeRepository outcomes;

    /** How long the outcome of a group or block change is kept for the gateway that waits for it: far longer. */
    static final Duration OUTCOMES_KEPT = Duration.ofDays(1);

    RetentionJob(
            JdbcClient jdbc,
            DeviceRepository devices,
            ChangeOutcomeRepository outcomes,
            TransactionTemplate transactions,
            SyncProperties properties,
            Clock clock,
            DeviceAcknowledgements acknowledgements,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler,
            @Qualifier(Background.EXECUTOR) Executor executor) {
        this.scheduler = scheduler;
        this.executor = executor;
        this.devices = devices;
        this.outcomes = outcomes;
        this.acknowledgements = acknowledgements;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.retention = properties.retention();
        this.clock = clock;
    }

    /** Runs the job every {@code interval} (none with {@code 0}), on the executor: a run may take long. */
    @Override
    public void start() {
        running = true;
        if (retention.interval().isPositive()) {
            task = scheduler.scheduleWithFixedDelay(
                    () -> executor.execute(this::runQuietly),
                    scheduler.getClock().instant().plus(retention.interval()),
                    retention.interval());
        }
    }

    @Override
    public void stop() {
        running = false;
        ScheduledFuture<?> scheduled = task;
        if (scheduled != null) {
            scheduled.cancel(false);
            task = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void runQuietly() {
        try {
            Instant now = clock.instant();
            long trimmed = trimAll(now);
            if (trimmed > 0) {
                log.info("Retention trimmed {} inbox rows", trimmed);
            }
            outcomes.deleteBefore(now.minus(OUTCOMES_KEPT).toEpochMilli());
        } catch (RuntimeException e) {
            log.warn("Retention run failed, will try again: {}", e.toString());
        }
    }

    /** Trims every user's inbox as of {@code now}; returns the rows deleted. */
    public long trimAll(Instant now) {
        acknowledgements.flush();
        long deleted = 0;
        String after = "";
        List<String> users;
        do {
            users = jdbc.sql(USERS_AFTER)
                    .param("after", after)
                    .query(String.class)
                    .list();
            for (String user : users) {
                deleted += trimUser(user, now);
            }
            after = users.isEmpty() ? after : users.getLast();
        } while (users.size() == 500);
        return deleted;
    }

    /** Trims one user's inbox as of {@code now}; returns the rows deleted. */
    public long trimUser(String userId, Instant now) {
        acknowledgements.flush();
        Long result = transactions.execute(status -> {
            Optional<Long> head =
                    jdbc.sql(HEAD).param("userId", userId).query(Long.class).optional();
            if (head.isEmpty()) {
                return 0L;
            }
            long boundary = devices.lowestAcknowledged(
                            userId, now.minus(retention.deviceInactiveAfter()).toEpochMilli())
                    .orElse(head.get());
            // MAX of nothing is NULL: optional() reads it as empty
            Optional<Long> trimTo = jdbc.sql(TRIM_UP_TO)
                    .param("userId", userId)
                    .param("boundary", boundary)
                    .param("olderThan", now.minus(retention.period()).toEpochMilli())
                    .query(Long.class)
                    .optional();
            if (trimTo.isEmpty()) {
                return 0L;
            }
            long upTo = trimTo.get();
            long rows =
                    jdbc.sql(DELETE).param("userId", userId).param("upTo", upTo).update();
            jdbc.sql(MARK_TRIMMED).param("userId", userId).param("upTo", upTo).update();
            return rows;
        });
        return result == null ? 0 : result;
    }
}
