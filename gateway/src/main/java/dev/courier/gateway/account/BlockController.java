package dev.courier.gateway.account;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.Ids;
import dev.courier.gateway.ChangeOutcomes;
import dev.courier.store.AccountRepository;
import dev.courier.store.BlockRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;

/**
 * Blocking (PROTOCOL.md, "Blocking"): a block travels the log of the two users' direct conversation, so it keeps out
 * exactly the messages ordered after it there. The call answers once the block is in effect (or 202 when the
 * expansion stage is behind by more than the change timeout). Blocking changes nothing in groups.
 */
@RestController
class BlockController {

    private final BlockRepository blocks;

    private final AccountRepository accounts;

    private final ChangeOutcomes changes;

    private final Clock clock;

    BlockController(BlockRepository blocks, AccountRepository accounts, ChangeOutcomes changes, Clock clock) {
        this.blocks = blocks;
        this.accounts = accounts;
        this.changes = changes;
        this.clock = clock;
    }

    @PutMapping("/v1/blocks/{userId}")
    ResponseEntity<?> block(Caller caller, @PathVariable String userId) {
        return change(caller, userId, true);
    }

    @DeleteMapping("/v1/blocks/{userId}")
    ResponseEntity<?> unblock(Caller caller, @PathVariable String userId) {
        return change(caller, userId, false);
    }

    @GetMapping("/v1/blocks")
    Blocked list(Caller caller) {
        return new Blocked(blocks.blockedBy(caller.userId()));
    }

    private ResponseEntity<?> change(Caller caller, String userId, boolean blocked) {
        if (userId.equals(caller.userId())) {
            throw ApiException.invalid("userId: you cannot block yourself");
        }
        if (!Ids.isUserId(userId) || !accounts.exists(userId)) {
            throw ApiException.notFound("userId: no user '" + userId + "'");
        }
        String eventId = UUID.randomUUID().toString();
        boolean applied = changes.apply(
                new ConversationRecord.BlockChanged(
                        eventId,
                        ConversationId.direct(caller.userId(), userId).value(),
                        caller.userId(),
                        userId,
                        blocked,
                        clock.instant().truncatedTo(ChronoUnit.MILLIS)),
                eventId);
        return applied
                ? ResponseEntity.noContent().build()
                : ResponseEntity.accepted().body(new Pending(eventId));
    }

    record Blocked(List<String> userIds) {}

    /** A block in the log whose outcome was not known within the change timeout. */
    record Pending(String eventId, String status) {

        Pending(String eventId) {
            this(eventId, "pending");
        }
    }
}
