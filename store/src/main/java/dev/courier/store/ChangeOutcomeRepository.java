package dev.courier.store;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The outcome of each group or block change at its point in the log: the expansion stage records it in the
 * transaction that applies (or refuses) the change, and the gateway that accepted the call waits for it to answer.
 */
public class ChangeOutcomeRepository {

    private static final String DECIDE = """
            INSERT INTO change_outcomes (event_id, code, detail, decided_at) VALUES (:eventId, :code, :detail, :now)
            ON DUPLICATE KEY UPDATE event_id = event_id
            """;

    private static final String FIND = "SELECT code, detail FROM change_outcomes WHERE event_id = :eventId";

    private static final String DELETE_BEFORE = "DELETE FROM change_outcomes WHERE decided_at < :before";

    /** Longest detail kept, in characters. */
    static final int MAX_DETAIL = 512;

    private final JdbcClient jdbc;

    public ChangeOutcomeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * How a change was decided: applied ({@code code} null) or refused with a stable error code.
     *
     * @param code the wire code of the refusal ({@code forbidden}, {@code not_found}, ...), null when applied
     */
    public record Outcome(@Nullable String code, @Nullable String detail) {

        public boolean applied() {
            return code == null;
        }
    }

    /** Records the outcome; a change decided before keeps its first outcome. */
    public void decide(String eventId, @Nullable String code, @Nullable String detail, long now) {
        jdbc.sql(DECIDE)
                .param("eventId", eventId)
                .param("code", code)
                .param(
                        "detail",
                        detail == null || detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL))
                .param("now", now)
                .update();
    }

    public Optional<Outcome> find(String eventId) {
        return jdbc.sql(FIND)
                .param("eventId", eventId)
                .query((rs, row) -> new Outcome(rs.getString(1), rs.getString(2)))
                .optional();
    }

    /** Removes the outcomes decided before {@code before}; returns how many. */
    public int deleteBefore(long before) {
        return jdbc.sql(DELETE_BEFORE).param("before", before).update();
    }
}
