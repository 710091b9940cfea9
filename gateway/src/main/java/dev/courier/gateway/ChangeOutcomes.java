package dev.courier.gateway;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.springframework.stereotype.Component;

import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.store.ChangeOutcomeRepository;
import dev.courier.web.ApiException;

/**
 * Group and block changes are decided at their point in the log (DESIGN.md, principle 2), by the expansion stage;
 * their calls answer once that decision is known, so the caller reads its own change and learns when the log refused
 * it (an admin removed before their change, say). When the expansion stage is behind by more than the change timeout
 * the call answers {@code 202}: the change is in the log all the same.
 */
@Component
public class ChangeOutcomes {

    private static final long FIRST_POLL_MILLIS = 5;

    private static final long LONGEST_POLL_MILLIS = 100;

    private final ConversationPublisher publisher;

    private final ChangeOutcomeRepository outcomes;

    private final GatewayProperties properties;

    private final Clock clock;

    ChangeOutcomes(
            ConversationPublisher publisher,
            ChangeOutcomeRepository outcomes,
            GatewayProperties properties,
            Clock clock) {
        this.publisher = publisher;
        this.outcomes = outcomes;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Writes the change to the log and waits for its outcome.
     *
     * @return true when it was applied, false when it was not decided within the change timeout
     * @throws ApiException with the code of the refusal when the log refused it, or 503 when the log is unavailable
     */
    public boolean apply(ConversationRecord record, String eventId) {
        publisher.publish(record);
        long deadline = clock.millis() + properties.changeTimeout().toMillis();
        long pause = FIRST_POLL_MILLIS;
        while (true) {
            Optional<ChangeOutcomeRepository.Outcome> outcome = outcomes.find(eventId);
            if (outcome.isPresent()) {
                String code = outcome.get().code();
                if (code == null) {
                    return true;
                }
                throw new ApiException(
                        codeOf(code), String.valueOf(outcome.get().detail()));
            }
            long left = deadline - clock.millis();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(pause, left)));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(pause * 2, LONGEST_POLL_MILLIS);
        }
    }

    private static ErrorCode codeOf(String code) {
        for (ErrorCode candidate : ErrorCode.values()) {
            if (candidate.code().equals(code)) {
                return candidate;
            }
        }
        return ErrorCode.CONFLICT;
    }
}
