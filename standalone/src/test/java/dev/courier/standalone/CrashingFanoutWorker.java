package dev.courier.standalone;

import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.fanout.inbox.InboxCommitListener;

/**
 * The real fanout-worker, plus one observer that halts the JVM (no shutdown hooks: as abrupt as kill -9) once an inbox
 * batch of at least {@code courier.test.crash-after-rows} rows has been committed to the database, before its offsets
 * are committed to Kafka.
 */
public final class CrashingFanoutWorker {

    static final int EXIT_CODE = 99;

    private static final Logger log = LoggerFactory.getLogger(CrashingFanoutWorker.class);

    private CrashingFanoutWorker() {}

    public static void main(String[] args) {
        FanoutWorkerApplication.builder().sources(CrashAfterCommit.class).run(args);
    }

    @Configuration(proxyBeanMethods = false)
    static class CrashAfterCommit {

        @Bean
        InboxCommitListener haltAfterCommit(
                @org.springframework.beans.factory.annotation.Value("${courier.test.crash-after-rows:1}") int rows) {
            AtomicInteger committed = new AtomicInteger();
            return heads -> {
                if (committed.addAndGet(heads.size()) >= rows) {
                    log.info(
                            "CRASH: inbox batch committed for {} users; halting before the offset commit",
                            heads.size());
                    Runtime.getRuntime().halt(EXIT_CODE);
                }
            };
        }
    }
}
