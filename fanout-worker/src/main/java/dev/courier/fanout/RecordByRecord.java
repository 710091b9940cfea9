package dev.courier.fanout;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.kafka.listener.BatchListenerFailedException;

import dev.courier.common.ErrorCode;
import dev.courier.common.Records;
import dev.courier.store.DatabaseFailures;

/**
 * How both stages find the one record of a batch that the database refuses for good: the batch is applied whole; if
 * the database refused it for good, again one record at a time, so the record at fault is found, the records before it
 * are applied, and it goes to the dead-letter topic at once (an {@link Records.InvalidRecordException} of reason
 * {@code conflict}). A passing failure is thrown as it is and retried.
 */
public final class RecordByRecord {

    private static final Logger log = LoggerFactory.getLogger(RecordByRecord.class);

    /** Applies some of the records, the first of them at {@code offset} in the consumer's batch. */
    @FunctionalInterface
    public interface Step<T> {

        void apply(List<T> records, int offset);
    }

    private RecordByRecord() {}

    /**
     * @throws BatchListenerFailedException naming the record that can never be applied (those before it are done), or
     *         the record from which a passing failure is to be retried
     */
    public static <T> void apply(String what, List<T> records, Step<T> step) {
        try {
            step.apply(records, 0);
        } catch (DataAccessException e) {
            if (!DatabaseFailures.isPermanent(e)) {
                throw e;
            }
            log.warn(
                    "A batch of {} {} was refused by the database ({}); applying it record by record",
                    records.size(),
                    what,
                    DatabaseFailures.describe(e));
            for (int i = 0; i < records.size(); i++) {
                try {
                    step.apply(records.subList(i, i + 1), i);
                } catch (DataAccessException single) {
                    // the records before it are written and published; a permanent failure sends this one to the
                    // dead-letter topic at once, a passing one is retried from here
                    Exception cause = DatabaseFailures.isPermanent(single)
                            ? new Records.InvalidRecordException(
                                    ErrorCode.CONFLICT, "refused by the database: " + DatabaseFailures.describe(single))
                            : single;
                    throw new BatchListenerFailedException(String.valueOf(cause.getMessage()), cause, i);
                }
            }
        }
    }
}
