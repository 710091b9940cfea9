package dev.courier.fanout.expansion;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.InboxRecord;
import dev.courier.common.Records;
import dev.courier.store.AccountRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.store.MessageRepository;

/**
 * Applies conversation records in log order within one database transaction (the caller's) and says which inbox
 * entries they produce. Every step is idempotent: a stored message is expanded again to the members of its first
 * expansion, and an applied membership event is skipped, so a redelivered batch produces the same entries.
 * <p>
 * A batch costs a few statements however many records it has: one query for the messages stored before, one for the
 * current members version of its groups, one for the members it needs (unless cached), multi-row INSERTs for the new
 * messages; only membership events, which are rare, are applied one by one. The members of a group at a version never
 * change, so they are cached across batches ({@link MembersCache}); the current version of a group is read again for
 * each batch.
 */
@Component
class Expander {

    private static final Logger log = LoggerFactory.getLogger(Expander.class);

    /** Member lists (group at a version) kept across batches, at most. */
    static final int CACHED_GROUP_VERSIONS = 4096;

    /** Member ids kept across batches, at most: some tens of MB. */
    static final long CACHED_MEMBERS = 500_000;

    private final MessageRepository messages;

    private final MembershipRepository memberships;

    private final AccountRepository accounts;

    private final Clock clock;

    /** Users whose kind (bridge identity or not) is kept across batches, at most. */
    static final int CACHED_KINDS = 500_000;

    private final MembersCache cache = new MembersCache(CACHED_GROUP_VERSIONS, CACHED_MEMBERS);

    private final BridgeIdentities bridgeIdentities = new BridgeIdentities(CACHED_KINDS);

    Expander(MessageRepository messages, MembershipRepository memberships, AccountRepository accounts, Clock clock) {
        this.messages = messages;
        this.memberships = memberships;
        this.accounts = accounts;
        this.clock = clock;
    }

    /**
     * One batch's state: which messages are stored (before the batch or by it) and with which members version, the
     * current members version of each of its groups, and the members it read.
     */
    final class Batch {

        private final List<Expansion> expansions = new ArrayList<>();

        /** What the records produce for the inbox writer, in log order: expansions and state changes of users. */
        private final List<Output> outputs = new ArrayList<>();

        private int entryCount;

        private Records.@Nullable InvalidRecordException rejection;

        private int rejectedIndex = -1;

        /** Each message stored, before this batch or by it, with its members version and number. */
        private Map<String, MessageRepository.Stored> stored = Map.of();

        /** The number of the newest entry of each conversation of the batch, as the batch numbers its messages. */
        private Map<String, Long> lastSeqs = Map.of();

        /** The conversations whose numbering this batch moved on. */
        private final Set<String> numbered = new HashSet<>();

        /** Current members version of each group of the batch that exists, as membership events move it. */
        private Map<String, Long> versions = Map.of();

        /** Messages of this batch to store: written before the batch returns, in statements of many rows. */
        private final List<MessageRepository.NewMessage> toStore = new ArrayList<>();

        /** Member lists read in this transaction, cached across batches only once it commits. */
        private final Map<MembershipRepository.GroupVersion, List<String>> learned = new HashMap<>();

        /** The messages of the records applied, each with its recipients: one inbox entry per recipient. */
        List<Expansion> expansions() {
            return expansions;
        }

        /** Everything for the inbox writer, in log order. */
        List<Output> outputs() {
            return outputs;
        }

        /**
         * The messages applied that reached bridge identities, for the bridge outbound: announced after the commit so
         * that it never has to guess whether (and to whom) a message was expanded.
         */
        List<ExpandedMessage> bridged() {
            List<ExpandedMessage> bridged = new ArrayList<>();
            for (Expansion expansion : expansions) {
                List<String> identities = bridgeIdentities.among(expansion.recipients());
                if (!identities.isEmpty()) {
                    ConversationRecord.MessagePosted message = expansion.message();
                    bridged.add(new ExpandedMessage(
                            message.messageId(),
                            message.conversation(),
                            message.from(),
                            message.kind(),
                            message.content(),
                            message.sentAt(),
                            message.origin(),
                            identities));
                }
            }
            return bridged;
        }

        /** How many inbox entries the records applied produce. */
        int entryCount() {
            return entryCount;
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
            List<ConversationRecord> decoded = new ArrayList<>(records.size());
            Records.InvalidRecordException undecodable = null;
            for (String record : records) {
                try {
                    decoded.add(Records.decodeConversation(record));
                } catch (Records.InvalidRecordException e) {
                    undecodable = e;
                    break;
                }
            }
            prefetch(decoded);
            for (int i = 0; i < decoded.size() && rejection == null; i++) {
                try {
                    apply(decoded.get(i));
                } catch (Records.InvalidRecordException e) {
                    rejection = e;
                    rejectedIndex = i;
                }
            }
            if (rejection == null && undecodable != null) {
                rejection = undecodable;
                rejectedIndex = decoded.size();
            }
            // the messages before a rejected record are applied, and so stored; nothing of the rejected one is
            if (!toStore.isEmpty()) {
                messages.store(toStore, clock.millis());
                toStore.clear();
            }
            if (!numbered.isEmpty()) {
                Map<String, Long> advanced = new HashMap<>();
                numbered.forEach(conversation -> advanced.put(conversation, lastSeqs.get(conversation)));
                messages.advanceConvSeqs(advanced);
            }
            Set<String> recipients = new HashSet<>();
            expansions.forEach(expansion -> recipients.addAll(expansion.recipients()));
            bridgeIdentities.learn(recipients, accounts::bridgeIdentities);
        }

        /** Once the batch's transaction committed: keeps the member lists it read for the next batches. */
        void committed() {
            cache.putAll(learned);
            learned.clear();
        }

        /** Reads at once what the records need: stored messages, versions of groups, members at those versions. */
        private void prefetch(List<ConversationRecord> records) {
            Set<String> messageIds = new HashSet<>();
            Set<String> groupIds = new HashSet<>();
            Set<String> conversations = new HashSet<>();
            for (ConversationRecord record : records) {
                conversations.add(record.conversation());
                if (record instanceof ConversationRecord.MessagePosted message) {
                    messageIds.add(message.messageId());
                    ConversationId conversation = conversationOf(message);
                    if (conversation.isGroup()) {
                        groupIds.add(conversation.groupId());
                    }
                }
            }
            stored = messageIds.isEmpty() ? new HashMap<>() : messages.stored(messageIds);
            lastSeqs = new HashMap<>(messages.lastConvSeqs(conversations));
            versions = groupIds.isEmpty() ? new HashMap<>() : memberships.versions(groupIds);
            Set<MembershipRepository.GroupVersion> needed = new HashSet<>();
            for (ConversationRecord record : records) {
                if (record instanceof ConversationRecord.MessagePosted message
                        && conversationOf(message).isGroup()) {
                    String groupId = conversationOf(message).groupId();
                    MessageRepository.Stored before = stored.get(message.messageId());
                    Long version = before != null ? Long.valueOf(before.membersVersion()) : versions.get(groupId);
                    if (version != null) {
                        needed.add(new MembershipRepository.GroupVersion(groupId, version));
                    }
                }
            }
            needed.removeIf(group -> cache.get(group) != null);
            if (!needed.isEmpty()) {
                learned.putAll(memberships.membersAt(needed));
            }
        }

        private void apply(ConversationRecord record) {
            switch (record) {
                case ConversationRecord.MessagePosted message -> expand(message);
                case ConversationRecord.MembersAdded added ->
                    changeMembers(
                            added.eventId(),
                            added.groupId(),
                            (version) -> added.userIds().forEach(user -> {
                                if (!memberships.isMemberNow(added.groupId(), user)) {
                                    memberships.join(added.groupId(), user, version);
                                }
                            }));
                case ConversationRecord.ConversationRead read -> read(read);
                case ConversationRecord.MemberRemoved removed ->
                    changeMembers(
                            removed.eventId(),
                            removed.groupId(),
                            (version) -> memberships.leave(removed.groupId(), removed.userId(), version));
            }
        }

        /**
         * A read of a conversation the user is part of (a direct conversation of theirs, a group they were ever a
         * member of), up to a message of it: for the user's own inbox partition, and for the other user of a direct
         * conversation as a read receipt.
         */
        private void read(ConversationRecord.ConversationRead read) {
            ConversationId conversation = new ConversationId(read.conversation());
            boolean member = conversation.isGroup()
                    ? memberships.wasEverMember(conversation.groupId(), read.userId())
                    : conversation.directUsers().contains(read.userId());
            if (!member) {
                throw new Records.InvalidRecordException(
                        ErrorCode.NOT_MEMBER, read.userId() + " is not part of " + conversation);
            }
            long last = lastSeqs.getOrDefault(read.conversation(), 0L);
            if (read.convSeq() > last) {
                throw new Records.InvalidRecordException("convSeq: " + read.convSeq() + " is beyond the last entry of "
                        + conversation + " (" + last + ")");
            }
            outputs.add(new StateChange(new InboxRecord.Read(read.userId(), read.conversation(), read.convSeq())));
            if (!conversation.isGroup()) {
                for (String user : conversation.directUsers()) {
                    if (!user.equals(read.userId())) {
                        outputs.add(
                                new StateChange(new InboxRecord.PeerRead(user, read.conversation(), read.convSeq())));
                    }
                }
            }
        }

        private void expand(ConversationRecord.MessagePosted message) {
            ConversationId conversation = conversationOf(message);
            MessageRepository.Stored before = stored.get(message.messageId());
            if (before != null
                    && (!before.conversation().equals(message.conversation())
                            || !before.from().equals(message.from()))) {
                // a redelivery or a retried send has the same conversation and sender; this record only has the id
                throw new Records.InvalidRecordException(
                        ErrorCode.CONFLICT,
                        "messageId: " + message.messageId() + " is a stored message of another conversation or "
                                + "sender");
            }
            Long storedVersion = before == null ? null : before.membersVersion();
            List<String> recipients;
            long convSeq = before == null ? 0 : before.convSeq();
            if (!conversation.isGroup()) {
                recipients = conversation.directUsers();
                if (!recipients.contains(message.from())) {
                    throw new Records.InvalidRecordException(
                            ErrorCode.NOT_MEMBER, "sender " + message.from() + " is not part of " + conversation);
                }
                if (storedVersion == null) {
                    convSeq = store(message, 0);
                }
            } else if (storedVersion != null) {
                recipients = members(conversation.groupId(), storedVersion);
            } else {
                String groupId = conversation.groupId();
                Long version = versions.get(groupId);
                if (version == null) {
                    throw new Records.InvalidRecordException(ErrorCode.NOT_FOUND, "no group " + groupId);
                }
                recipients = members(groupId, version);
                if (!recipients.contains(message.from())) {
                    throw new Records.InvalidRecordException(
                            ErrorCode.NOT_MEMBER,
                            message.from() + " is not a member of " + conversation + " at this point of its log");
                }
                convSeq = store(message, version);
            }
            if (storedVersion != null) {
                log.debug(
                        "Message {} was stored before: expanding it again to its original members",
                        message.messageId());
            }
            Expansion expansion = new Expansion(message, recipients, convSeq);
            expansions.add(expansion);
            outputs.add(expansion);
            entryCount += recipients.size();
        }

        /**
         * Stores the message with this batch under the next number of its conversation; a later occurrence of its id
         * in the batch finds it stored.
         */
        private long store(ConversationRecord.MessagePosted message, long membersVersion) {
            long convSeq = lastSeqs.merge(message.conversation(), 1L, Long::sum);
            numbered.add(message.conversation());
            toStore.add(new MessageRepository.NewMessage(message, membersVersion, convSeq));
            stored.put(
                    message.messageId(),
                    new MessageRepository.Stored(membersVersion, convSeq, message.conversation(), message.from()));
            return convSeq;
        }

        private List<String> members(String groupId, long version) {
            MembershipRepository.GroupVersion group = new MembershipRepository.GroupVersion(groupId, version);
            List<String> members = learned.get(group);
            if (members == null) {
                members = cache.get(group);
            }
            if (members == null) {
                members = memberships.membersAt(groupId, version);
                learned.put(group, members);
            }
            return members;
        }

        private void changeMembers(String eventId, String groupId, LongConsumer change) {
            if (memberships.isApplied(eventId)) {
                return;
            }
            long version = memberships
                            .lockForChange(groupId)
                            .orElseThrow(() ->
                                    new Records.InvalidRecordException(ErrorCode.NOT_FOUND, "no group " + groupId))
                    + 1;
            change.accept(version);
            memberships.recordEvent(eventId, groupId, version, clock.millis());
            versions.put(groupId, version);
        }
    }

    /** The message's conversation, which {@link Records#decodeConversation} found valid: not parsed again. */
    private static ConversationId conversationOf(ConversationRecord.MessagePosted message) {
        return new ConversationId(message.conversation());
    }

    Batch newBatch() {
        return new Batch();
    }

    /** What the batch produces for the inbox writer: an {@link Expansion} or a {@link StateChange}. */
    sealed interface Output {}

    /** A change of one user's conversation state (a read, a peer's read). */
    record StateChange(InboxRecord record) implements Output {}

    /**
     * A message, its number and its recipients (a list that may be shared with other messages and the cache: never
     * modified), for the inbox entries {@code (recipient, messageId, conversation)}.
     */
    record Expansion(ConversationRecord.MessagePosted message, List<String> recipients, long convSeq)
            implements Output {

        String messageId() {
            return message.messageId();
        }

        String conversation() {
            return message.conversation();
        }
    }
}
