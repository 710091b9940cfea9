package dev.courier.fanout;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

import dev.courier.fanout.inbox.InboxCommitListener;

/**
 * The real fanout-worker, plus one observer that halts the JVM (no shutdown hooks: as abrupt as kill -9) once an inbox
 * batch that wrote to the user {@code courier.test.crash-on-user} has been committed to the database, before its
 * offsets are committed to Kafka. Naming the user makes it crash on the test's own batch, whatever else is waiting in
 * the topic. The observer is registered by hand, not as a {@code @Configuration}, so that the worker's component scan
 * never finds it in another test's worker.
 */
public final class CrashingFanoutWorker {

    static final int EXIT_CODE = 99;

    private static final Logger log = LoggerFactory.getLogger(CrashingFanoutWorker.class);

    private CrashingFanoutWorker() {}

    public static void main(String[] args) {
        FanoutWorkerApplication.builder()
                .initializers(CrashingFanoutWorker::haltAfterCommit)
                .run(args);
    }

    private static void haltAfterCommit(ConfigurableApplicationContext context) {
        String user = context.getEnvironment().getRequiredProperty("courier.test.crash-on-user");
        context.getBeanFactory().registerSingleton("haltAfterCommit", new InboxCommitListener() {
            @Override
            public void committed(Map<String, Long> heads) {}

            @Override
            public void committed(Map<String, Long> heads, List<Row> rows) {
                if (heads.containsKey(user)) {
                    log.info(
                            "CRASH: inbox batch of {} rows committed, {} of them to {}; halting before the offset "
                                    + "commit",
                            rows.size(),
                            rows.stream()
                                    .filter(row -> row.userId().equals(user))
                                    .count(),
                            user);
                    Runtime.getRuntime().halt(EXIT_CODE);
                }
            }
        });
    }
}
