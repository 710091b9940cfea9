package dev.courier.store;

import java.sql.SQLException;
import java.util.Set;

import org.springframework.dao.DataAccessException;

/**
 * Tells a database error that no retry can fix (the data itself is refused: too long, out of range, a constraint it
 * can never meet) from one that passes (a lost connection, a deadlock, a lock wait, a server restarting). A batch that
 * failed for good is applied again record by record, so the one record at fault is found and dead-lettered and the
 * rest are written; a passing failure is retried as it is, for as long as it takes.
 */
public final class DatabaseFailures {

    /** MySQL/MariaDB errors about the data that carry the generic SQLState HY000 (incorrect string or value). */
    private static final Set<Integer> DATA_ERRORS = Set.of(1366, 1292, 1265, 3819, 4025);

    private DatabaseFailures() {}

    /** Whether the error is about the data written, so the same statement would fail again however often retried. */
    public static boolean isPermanent(DataAccessException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                String state = sql.getSQLState();
                // class 22: data exception (too long, out of range); class 23: integrity constraint violation
                return state != null && (state.startsWith("22") || state.startsWith("23"))
                        || DATA_ERRORS.contains(sql.getErrorCode());
            }
        }
        return false;
    }

    /** The database's own words for a permanent error, for the dead letter's detail. */
    public static String describe(DataAccessException e) {
        Throwable root = e.getMostSpecificCause();
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
