package dev.courier.fanout.expansion;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.InboxEntry;
import dev.courier.common.Records;

/**
 * Applies conversation records in log order within one database transaction (the caller's) and says which inbox
 * entries they produce. Every step is idempotent: a stored message is expanded again to the members of its first
 * expansion, and an applied membership event is skipped, so a redelivered batch produces the same entries.
 */
@Component
class Expander {

    private static final Logger log = LoggerFactory.getLogger(Expander.class);

    private final ExpansionRepository repository;

    private final Clock clock;

    Expander(ExpansionRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** One batch's state: members of groups seen in this batch, dropped when a membership event changes them. */
    final class Batch {

        private final Map<String, Members> groups = new HashMap<>();

        private final List<InboxEntry> entries = new ArrayList<>();

        private Records.@Nullable InvalidRecordException rejection;

        private int rejectedIndex = -1;

        /** The inbox entries of the records applied. */
        List<InboxEntry> entries() {
            return entries;
        }

        /** Why the record at {@link #rejectedIndex()} can never be applied, or {@code null} when all were. */
        Records.@Nullable InvalidRecordException rejection() {
            return rejection;
        }

        int rejectedIndex() {
            return rejectedIndex;
        }

        /**
         * Applies the records in order, stopping at the first that can never be applied: the ones before it stay
         * applied, nothing of it is written.
         */
        void applyAll(List<String> records) {
            for (int i = 0; i < records.size(); i++) {
                try {
                    apply(Records.decodeConversation(records.get(i)));
                } catch (Records.InvalidRecordException e) {
                    rejection = e;
                    rejectedIndex = i;
                    return;
                }
            }
        }

        private void apply(ConversationRecord record) {
            switch (record) {
                case ConversationRecord.MessagePosted message -> expand(message);
                case ConversationRecord.MembersAdded added -> changeMembers(added.eventId(), added.groupId(),
                        (version) -> added.userIds().forEach(user -> {
                            if (!repository.isMember(added.groupId(), user)) {
                                repository.join(added.groupId(), user, version);
                            }
                        }));
                case ConversationRecord.MemberRemoved removed -> changeMembers(removed.eventId(), removed.groupId(),
                        (version) -> repository.leave(removed.groupId(), removed.userId(), version));
            }
        }

        private void expand(ConversationRecord.MessagePosted message) {
            ConversationId conversation = ConversationId.parse(message.conversation());
            Optional<Long> stored = repository.storedVersion(message.messageId());
            List<String> recipients;
            if (!conversation.isGroup()) {
                recipients = conversation.directUsers();
                if (!recipients.contains(message.from())) {
                    throw new Records.InvalidRecordException("sender " + message.from() + " is not part of "
                            + conversation);
                }
                if (stored.isEmpty()) {
                    repository.store(message, 0, clock.millis());
                }
            } else if (stored.isPresent()) {
                recipients = repository.membersAt(conversation.groupId(), stored.get());
            } else {
                Members members = current(conversation.groupId());
                if (!members.userIds().contains(message.from())) {
                    throw new Records.InvalidRecordException("not_member: " + message.from()
                            + " is not a member of " + conversation + " at this point of its log");
                }
                repository.store(message, members.version(), clock.millis());
                recipients = members.userIds();
            }
            if (stored.isPresent()) {
                log.debug("Message {} was stored before: expanding it again to its original members",
                        message.messageId());
            }
            for (String recipient : recipients) {
                entries.add(new InboxEntry(recipient, message.messageId(), message.conversation()));
            }
        }

        private Members current(String groupId) {
            Members members = groups.get(groupId);
            if (members == null) {
                long version = repository.groupVersion(groupId)
                    .orElseThrow(() -> new Records.InvalidRecordException("not_found: no group " + groupId));
                members = new Members(version, repository.membersAt(groupId, version));
                groups.put(groupId, members);
            }
            return members;
        }

        private void changeMembers(String eventId, String groupId, java.util.function.LongConsumer change) {
            if (repository.isApplied(eventId)) {
                return;
            }
            long version = repository.lockGroup(groupId)
                .orElseThrow(() -> new Records.InvalidRecordException("not_found: no group " + groupId)) + 1;
            change.accept(version);
            repository.recordEvent(eventId, groupId, version, clock.millis());
            groups.remove(groupId);
        }
    }

    Batch newBatch() {
        return new Batch();
    }

    private record Members(long version, List<String> userIds) {
    }
}
