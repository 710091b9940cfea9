package dev.courier.fanout.expansion;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.InboxRecord;
import dev.courier.common.Json;
import dev.courier.common.MessageContent;
import dev.courier.common.MessageId;
import dev.courier.common.Records;
import dev.courier.store.AccountRepository;
import dev.courier.store.BlockRepository;
import dev.courier.store.ChangeOutcomeRepository;
import dev.courier.store.GroupRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.store.MessageRepository;

/**
 * Applies conversation records in log order within one database transaction (the caller's) and says which inbox
 * entries they produce. Every step is idempotent: a stored message is expanded again to the members of its first
 * expansion, and an applied membership event is skipped, so a redelivered batch produces the same entries.
 * <p>
 * A batch costs a few statements however many records it has: one query for the messages stored before, the
 * conversations' numbers and the blocks of direct recipients (one statement, {@link MessageRepository#prefetch}), one
 * for the current members version of its groups, one for the members it needs (unless cached), multi-row INSERTs for
 * the new messages; only membership events, which are rare, are applied one by one. The members of a group at a
 * version never change, so they are cached across batches ({@link MembersCache}); the current version of a group is
 * read again for each batch.
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

    private final GroupRepository groupStates;

    private final BlockRepository blockList;

    private final ChangeOutcomeRepository outcomes;

    private final Clock clock;

    /** Users whose kind (bridge identity or not) is kept across batches, at most. */
    static final int CACHED_KINDS = 500_000;

    private final MembersCache cache = new MembersCache(CACHED_GROUP_VERSIONS, CACHED_MEMBERS);

    private final BridgeIdentities bridgeIdentities = new BridgeIdentities(CACHED_KINDS);

    Expander(
            MessageRepository messages,
            MembershipRepository memberships,
            AccountRepository accounts,
            GroupRepository groupStates,
            BlockRepository blockList,
            ChangeOutcomeRepository outcomes,
            Clock clock) {
        this.messages = messages;
        this.memberships = memberships;
        this.accounts = accounts;
        this.groupStates = groupStates;
        this.blockList = blockList;
        this.outcomes = outcomes;
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

        /** Each group of the batch that exists, as its changes move it. */
        private Map<String, GroupRepository.Group> groups = Map.of();

        /** The blocks that refuse a direct message of the batch, as its block changes move them. */
        private Set<BlockRepository.Block> blocked = Set.of();

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
                ConversationRecord.MessagePosted message = expansion.message();
                boolean change = MessageContent.isLifecycle(message.kind());
                if (message.kind().equals(MessageContent.SYSTEM)) {
                    continue; // a group's own events stay in Courier
                }
                // of the changes, bridges are told of recalls and edits
                if (change
                        && !message.kind().equals("recall")
                        && !message.kind().equals("edit")) {
                    continue;
                }
                List<String> identities = bridgeIdentities.among(expansion.recipients());
                if (identities.isEmpty()) {
                    continue;
                }
                ExpandedMessage.Target target = null;
                if (change) {
                    String targetId = message.content().path("target").asString();
                    MessageRepository.Stored changed = stored.get(targetId);
                    target = new ExpandedMessage.Target(
                            targetId,
                            changed == null ? null : changed.origin(),
                            changed == null ? targetId : changed.clientMsgId());
                }
                bridged.add(new ExpandedMessage(
                        message.messageId(),
                        message.conversation(),
                        message.from(),
                        message.kind(),
                        message.content(),
                        message.sentAt(),
                        message.origin(),
                        identities,
                        target,
                        expansion.convSeq()));
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
                    refused(decoded.get(i), e);
                }
            }
            if (rejection == null && undecodable != null) {
                rejection = undecodable;
                rejectedIndex = decoded.size();
            }
            // the messages before a rejected record are applied, and so stored; nothing of the rejected one is
            flush();
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

        /**
         * Reads at once what the records need: stored messages, the groups and their members at the versions needed,
         * the blocks that could refuse a direct message.
         */
        private void prefetch(List<ConversationRecord> records) {
            Set<String> messageIds = new HashSet<>();
            Set<String> groupIds = new HashSet<>();
            Set<String> conversations = new HashSet<>();
            Set<String> blockers = new HashSet<>();
            for (ConversationRecord record : records) {
                conversations.add(record.conversation());
                ConversationId conversation = new ConversationId(record.conversation());
                if (conversation.isGroup()) {
                    groupIds.add(conversation.groupId());
                }
                switch (record) {
                    case ConversationRecord.MessagePosted message -> {
                        messageIds.add(message.messageId());
                        if (message.replyTo() != null) {
                            messageIds.add(message.replyTo());
                        }
                        if (!conversation.isGroup()) {
                            // stored before or not: the blocks are read with the messages, in the same statement
                            for (String user : conversation.directUsers()) {
                                if (!user.equals(message.from())) {
                                    blockers.add(user);
                                }
                            }
                        }
                    }
                    case ConversationRecord.MessageChange change -> {
                        messageIds.add(change.messageId());
                        messageIds.add(entryId(change));
                    }
                    case ConversationRecord.GroupChange change -> messageIds.add(systemId(change));
                    case ConversationRecord.GroupCreated created -> messageIds.add(createdId(created.groupId()));
                    default -> {}
                }
            }
            MessageRepository.Prefetched prefetched = messages.prefetch(messageIds, conversations, blockers);
            stored = new HashMap<>(prefetched.stored());
            lastSeqs = new HashMap<>(prefetched.lastConvSeqs());
            groups = groupIds.isEmpty() ? new HashMap<>() : new HashMap<>(groupStates.states(groupIds));
            Set<MembershipRepository.GroupVersion> needed = new HashSet<>();
            Set<BlockRepository.Block> blocks = new HashSet<>();
            for (ConversationRecord record : records) {
                ConversationId conversation = new ConversationId(record.conversation());
                GroupRepository.Group group = conversation.isGroup() ? groups.get(conversation.groupId()) : null;
                if (record instanceof ConversationRecord.MessagePosted message) {
                    MessageRepository.Stored before = stored.get(message.messageId());
                    if (group != null) {
                        long version = before != null ? before.membersVersion() : group.membersVersion();
                        needed.add(new MembershipRepository.GroupVersion(group.groupId(), version));
                    } else if (before == null && !conversation.isGroup()) {
                        for (String user : conversation.directUsers()) {
                            if (!user.equals(message.from())) {
                                blocks.add(new BlockRepository.Block(user, message.from()));
                            }
                        }
                    }
                } else if (group != null && record instanceof ConversationRecord.GroupChange) {
                    needed.add(new MembershipRepository.GroupVersion(group.groupId(), group.membersVersion()));
                }
            }
            needed.removeIf(group -> cache.get(group) != null);
            if (!needed.isEmpty()) {
                learned.putAll(memberships.membersAt(needed));
            }
            blocks.retainAll(prefetched.blocks());
            blocked = blocks;
        }

        private void apply(ConversationRecord record) {
            switch (record) {
                case ConversationRecord.MessagePosted message -> expand(message);
                case ConversationRecord.GroupCreated created -> created(created);
                case ConversationRecord.GroupChange change -> groupChange(change);
                case ConversationRecord.BlockChanged block -> block(block);
                case ConversationRecord.ConversationRead read -> read(read);
                case ConversationRecord.MessageChange change -> change(change);
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

        /**
         * A change of a stored message of the conversation: checked at its point in the log (the gateway checked
         * early), applied to the target, and entered as an entry of its own in the inbox of every member who saw the
         * target (as of the target's point in the log), or for a delete only in the actor's. A change that changes
         * nothing (a second recall, a reaction already there) makes no entry.
         */
        private void change(ConversationRecord.MessageChange change) {
            MessageRepository.Stored target = stored.get(change.messageId());
            if (target == null
                    || !target.conversation().equals(change.conversation())
                    || !MessageContent.KINDS.contains(target.kind())) {
                throw new Records.InvalidRecordException(
                        ErrorCode.NOT_FOUND,
                        "messageId: no message " + change.messageId() + " in " + change.conversation());
            }
            ConversationId conversation = new ConversationId(change.conversation());
            if (conversation.isGroup() && !(change instanceof ConversationRecord.MessageDeleted)) {
                openGroup(conversation.groupId());
            }
            List<String> saw = sawTarget(target);
            if (!saw.contains(change.by())) {
                throw new Records.InvalidRecordException(
                        ErrorCode.NOT_MEMBER, change.by() + " may not see message " + change.messageId());
            }
            boolean alone = change instanceof ConversationRecord.MessageDeleted;
            List<String> recipients = alone ? List.of(change.by()) : saw;
            String entryId = entryId(change);
            ObjectNode content = Json.MAPPER.createObjectNode().put("target", change.messageId());
            String kind = kindOf(change);
            if (change instanceof ConversationRecord.MessageEdited edited) {
                content.put("text", edited.text());
            } else if (change instanceof ConversationRecord.ReactionChanged reaction) {
                content.put("emoji", reaction.emoji()).put("added", reaction.added());
            }
            if (change instanceof ConversationRecord.MessageRecalled) {
                // a recall's entry id names only its target: the sender is checked before it counts as a redelivery
                requireSender(target, change);
            }
            MessageRepository.Stored entryBefore = stored.get(entryId);
            if (entryBefore != null) {
                // applied and stored before (a redelivery): entered again, to the same users, with its number
                Expansion again =
                        new Expansion(entry(entryId, change, kind, content), recipients, entryBefore.convSeq());
                expansions.add(again);
                outputs.add(again);
                entryCount += recipients.size();
                return;
            }
            // the target's row is changed in place: one of this batch's messages must be written first
            flush();
            switch (change) {
                case ConversationRecord.MessageRecalled recalled -> {
                    requireSender(target, recalled);
                    if (target.recalled()) {
                        return;
                    }
                    messages.recall(recalled.messageId(), recalled.at().toEpochMilli());
                    // a later change of the batch sees it recalled (an edit of it is then a conflict)
                    stored.put(
                            recalled.messageId(),
                            new MessageRepository.Stored(
                                    target.membersVersion(),
                                    target.convSeq(),
                                    target.conversation(),
                                    target.from(),
                                    target.kind(),
                                    true,
                                    target.origin(),
                                    target.clientMsgId()));
                }
                case ConversationRecord.MessageEdited edited -> {
                    requireSender(target, edited);
                    if (!target.kind().equals("text") || target.recalled()) {
                        throw new Records.InvalidRecordException(
                                ErrorCode.CONFLICT,
                                "messageId: only a text message that is not recalled can be edited");
                    }
                    messages.edit(
                            edited.messageId(),
                            StringNode.valueOf(edited.text()).toString(),
                            edited.at().toEpochMilli());
                }
                case ConversationRecord.ReactionChanged reaction -> {
                    if (messages.hasReacted(reaction.messageId(), reaction.emoji(), reaction.by())
                            == reaction.added()) {
                        return;
                    }
                }
                case ConversationRecord.MessageDeleted deleted -> {
                    if (messages.isHidden(deleted.by(), deleted.messageId())) {
                        return;
                    }
                    messages.hide(deleted.by(), deleted.messageId());
                }
            }
            ConversationRecord.MessagePosted entry = entry(entryId, change, kind, content);
            Long convSeq = alone ? null : lastSeqs.merge(change.conversation(), 1L, Long::sum);
            if (convSeq != null) {
                numbered.add(change.conversation());
            }
            toStore.add(new MessageRepository.NewMessage(entry, target.membersVersion(), convSeq));
            stored.put(
                    entryId,
                    new MessageRepository.Stored(
                            target.membersVersion(),
                            convSeq == null ? 0 : convSeq,
                            change.conversation(),
                            change.by(),
                            kind,
                            false,
                            null,
                            entry.clientMsgId()));
            if (change instanceof ConversationRecord.ReactionChanged reaction) {
                messages.react(
                        reaction.messageId(),
                        reaction.emoji(),
                        reaction.by(),
                        convSeq == null ? 0 : convSeq,
                        reaction.added());
            }
            Expansion expansion = new Expansion(entry, recipients, convSeq == null ? 0 : convSeq);
            expansions.add(expansion);
            outputs.add(expansion);
            entryCount += expansion.recipients().size();
        }

        /** The id of the entry a change makes, from what identifies the change forever. */
        private static String entryId(ConversationRecord.MessageChange change) {
            return switch (change) {
                case ConversationRecord.MessageRecalled recalled -> MessageId.forChange("recall", recalled.messageId());
                case ConversationRecord.MessageEdited edited -> MessageId.forChange("edit", edited.eventId());
                case ConversationRecord.ReactionChanged reaction -> MessageId.forChange("reaction", reaction.eventId());
                case ConversationRecord.MessageDeleted deleted ->
                    MessageId.forChange("delete", deleted.messageId(), deleted.by());
            };
        }

        private static String kindOf(ConversationRecord.MessageChange change) {
            return switch (change) {
                case ConversationRecord.MessageRecalled recalled -> "recall";
                case ConversationRecord.MessageEdited edited -> "edit";
                case ConversationRecord.ReactionChanged reaction -> "reaction";
                case ConversationRecord.MessageDeleted deleted -> "delete";
            };
        }

        /** The users the target was entered for: the members at its point in the log (both of a direct chat). */
        private List<String> sawTarget(MessageRepository.Stored target) {
            ConversationId conversation = new ConversationId(target.conversation());
            return conversation.isGroup()
                    ? members(conversation.groupId(), target.membersVersion())
                    : conversation.directUsers();
        }

        private static void requireSender(MessageRepository.Stored target, ConversationRecord.MessageChange change) {
            if (!target.from().equals(change.by())) {
                throw new Records.InvalidRecordException(
                        ErrorCode.FORBIDDEN, "only the sender may " + change.type() + " message " + change.messageId());
            }
        }

        /** The entry of a change: a message of its own, of the changed message's kind of change, from the actor. */
        private static ConversationRecord.MessagePosted entry(
                String entryId, ConversationRecord.MessageChange change, String kind, ObjectNode content) {
            return new ConversationRecord.MessagePosted(
                    entryId,
                    kind + ":" + entryId,
                    change.conversation(),
                    change.by(),
                    kind,
                    content,
                    change.at(),
                    null,
                    null);
        }

        /** Writes the messages of this batch stored so far. */
        private void flush() {
            if (!toStore.isEmpty()) {
                messages.store(toStore, clock.millis());
                toStore.clear();
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
            if (before == null && message.replyTo() != null) {
                MessageRepository.Stored replied = stored.get(message.replyTo());
                if (replied == null
                        || !replied.conversation().equals(message.conversation())
                        || !MessageContent.KINDS.contains(replied.kind())
                        || !sawTarget(replied).contains(message.from())) {
                    throw new Records.InvalidRecordException("replyTo: no message " + message.replyTo() + " of "
                            + conversation + " that " + message.from() + " may see");
                }
            }
            List<String> recipients;
            long convSeq = before == null ? 0 : before.convSeq();
            if (!conversation.isGroup()) {
                recipients = conversation.directUsers();
                if (!recipients.contains(message.from())) {
                    throw new Records.InvalidRecordException(
                            ErrorCode.NOT_MEMBER, "sender " + message.from() + " is not part of " + conversation);
                }
                if (storedVersion == null) {
                    for (String user : recipients) {
                        if (blocked.contains(new BlockRepository.Block(user, message.from()))) {
                            throw new Records.InvalidRecordException(
                                    ErrorCode.BLOCKED, user + " blocked " + message.from());
                        }
                    }
                    convSeq = store(message, 0);
                }
            } else if (storedVersion != null) {
                recipients = members(conversation.groupId(), storedVersion);
            } else {
                GroupRepository.Group group = openGroup(conversation.groupId());
                recipients = members(group.groupId(), group.membersVersion());
                if (!recipients.contains(message.from())) {
                    throw new Records.InvalidRecordException(
                            ErrorCode.NOT_MEMBER,
                            message.from() + " is not a member of " + conversation + " at this point of its log");
                }
                GroupRules.requireMaySend(
                        group, message.from(), message.sentAt().toEpochMilli());
                convSeq = store(message, group.membersVersion());
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
                    new MessageRepository.Stored(
                            membersVersion,
                            convSeq,
                            message.conversation(),
                            message.from(),
                            message.kind(),
                            false,
                            message.origin(),
                            message.clientMsgId()));
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

        /**
         * The group, which exists and is not dissolved, with its first entry made if it has none yet.
         *
         * @throws Records.InvalidRecordException when there is no such group or it is dissolved
         */
        private GroupRepository.Group openGroup(String groupId) {
            GroupRepository.Group group = groups.get(groupId);
            if (group == null) {
                throw new Records.InvalidRecordException(ErrorCode.NOT_FOUND, "no group " + groupId);
            }
            if (group.dissolved()) {
                throw new Records.InvalidRecordException(ErrorCode.NOT_FOUND, "g:" + groupId + " is dissolved");
            }
            ensureCreated(group);
            return group;
        }

        /**
         * Makes the group's {@code group.created} entry, its first, if the group has no entry yet: from the group as
         * created (nothing of it changes before its first entry), so it is the same whichever record comes first.
         */
        private void ensureCreated(GroupRepository.Group group) {
            String conversation = ConversationId.group(group.groupId()).value();
            if (lastSeqs.getOrDefault(conversation, 0L) > 0) {
                return;
            }
            List<String> members = members(group.groupId(), 1);
            ConversationRecord.MessagePosted entry = system(
                    createdId(group.groupId()),
                    conversation,
                    group.ownerId(),
                    GroupRules.created(group, members),
                    Instant.ofEpochMilli(group.createdAt()));
            emit(entry, members, store(entry, 1), null, false);
        }

        /** A group created at the gateway: its first entry, made now unless a record before made it. */
        private void created(ConversationRecord.GroupCreated created) {
            String id = createdId(created.groupId());
            MessageRepository.Stored before = stored.get(id);
            if (before != null) {
                enterAgain(id, created.conversation(), before, created.at(), null, false);
                return;
            }
            GroupRepository.Group group = groups.get(created.groupId());
            if (group == null) {
                throw new Records.InvalidRecordException(ErrorCode.NOT_FOUND, "no group " + created.groupId());
            }
            ensureCreated(group);
        }

        /**
         * A change of a group, decided by {@link GroupRules} against the group as it is at this point of the log,
         * applied, and entered as a {@code system} message in the inbox of every member: those after it when members
         * join, those before it when one leaves (so the one who leaves learns of it too).
         */
        private void groupChange(ConversationRecord.GroupChange change) {
            String id = systemId(change);
            String leaving = change instanceof ConversationRecord.MemberRemoved removed ? removed.userId() : null;
            boolean dissolving = change instanceof ConversationRecord.GroupDissolved;
            MessageRepository.Stored before = stored.get(id);
            if (before != null) {
                // applied before (a redelivery): entered again, to the same members, with its number
                enterAgain(id, change.conversation(), before, change.at(), leaving, dissolving);
                return;
            }
            if ((change instanceof ConversationRecord.MembersAdded || leaving != null)
                    && memberships.isApplied(change.eventId())) {
                return; // a membership change applied before groups had system messages
            }
            GroupRepository.Group group = groups.get(change.groupId());
            if (group == null) {
                throw new Records.InvalidRecordException(ErrorCode.NOT_FOUND, "no group " + change.groupId());
            }
            if (!group.dissolved()) {
                ensureCreated(group);
            }
            List<String> membersBefore = members(group.groupId(), group.membersVersion());
            GroupRules.Outcome outcome = GroupRules.decide(group, new HashSet<>(membersBefore), change);
            GroupRepository.Group after = outcome.after();
            List<String> recipients = membersBefore;
            if (after.membersVersion() != group.membersVersion()) {
                long version = after.membersVersion();
                Set<String> now = new TreeSet<>(membersBefore);
                outcome.joined().forEach(user -> memberships.join(group.groupId(), user, version));
                now.addAll(outcome.joined());
                if (outcome.leaving() != null) {
                    memberships.leave(group.groupId(), outcome.leaving(), version);
                    now.remove(outcome.leaving());
                }
                memberships.recordEvent(change.eventId(), group.groupId(), version, clock.millis());
                List<String> membersAfter = List.copyOf(now);
                learned.put(new MembershipRepository.GroupVersion(group.groupId(), version), membersAfter);
                if (!outcome.joined().isEmpty()) {
                    recipients = membersAfter;
                }
            }
            saveRoles(group, after);
            Long dissolvedAt = after.dissolvedAt();
            if (dissolvedAt != null && !group.dissolved()) {
                groupStates.dissolve(group.groupId(), dissolvedAt, after.version());
            } else if (after.version() != group.version()) {
                groupStates.update(after);
            }
            groups.put(group.groupId(), after);
            ObjectNode event = outcome.event();
            if (event != null) {
                String from =
                        change.by().startsWith("bridge:") ? outcome.joined().getFirst() : change.by();
                ConversationRecord.MessagePosted entry = system(id, change.conversation(), from, event, change.at());
                long recipientsVersion = recipients == membersBefore ? group.membersVersion() : after.membersVersion();
                emit(entry, recipients, store(entry, recipientsVersion), leaving, dissolving);
            }
            outcomes.decide(change.eventId(), null, null, clock.millis());
        }

        /** Writes what changed of the admins and the member mutes. */
        private void saveRoles(GroupRepository.Group before, GroupRepository.Group after) {
            String groupId = before.groupId();
            for (String admin : before.admins()) {
                if (!after.admins().contains(admin)) {
                    groupStates.setAdmin(groupId, admin, false);
                }
            }
            for (String admin : after.admins()) {
                if (!before.admins().contains(admin)) {
                    groupStates.setAdmin(groupId, admin, true);
                }
            }
            for (String muted : before.mutes().keySet()) {
                if (!after.mutes().containsKey(muted)) {
                    groupStates.unmute(groupId, muted);
                }
            }
            after.mutes().forEach((muted, until) -> {
                if (!until.equals(before.mutes().get(muted))) {
                    groupStates.mute(groupId, muted, until);
                }
            });
        }

        /** A block or an unblock, in the log of the two users' direct conversation. */
        private void block(ConversationRecord.BlockChanged change) {
            BlockRepository.Block block = new BlockRepository.Block(change.by(), change.userId());
            if (change.blocked()) {
                blockList.block(change.by(), change.userId(), change.at().toEpochMilli());
                blocked.add(block);
            } else {
                blockList.unblock(change.by(), change.userId());
                blocked.remove(block);
            }
            outcomes.decide(change.eventId(), null, null, clock.millis());
        }

        /** Records why a group or block change was refused, for the gateway waiting to answer it. */
        private void refused(ConversationRecord record, Records.InvalidRecordException refusal) {
            String eventId = switch (record) {
                case ConversationRecord.GroupChange change -> change.eventId();
                case ConversationRecord.BlockChanged block -> block.eventId();
                default -> null;
            };
            if (eventId != null) {
                outcomes.decide(eventId, refusal.reason().code(), refusal.getMessage(), clock.millis());
            }
        }

        /** A stored system entry entered again (its content is not needed for that). */
        private void enterAgain(
                String id,
                String conversation,
                MessageRepository.Stored before,
                Instant at,
                @Nullable String leaving,
                boolean dissolving) {
            List<String> recipients = members(new ConversationId(conversation).groupId(), before.membersVersion());
            ConversationRecord.MessagePosted entry =
                    system(id, conversation, before.from(), Json.MAPPER.createObjectNode(), at);
            emit(entry, recipients, before.convSeq(), leaving, dissolving);
        }

        /** Enters a system message for its recipients, each of whose groups data type moves on with it. */
        private void emit(
                ConversationRecord.MessagePosted entry,
                List<String> recipients,
                long convSeq,
                @Nullable String leaving,
                boolean dissolving) {
            Expansion expansion = new Expansion(entry, recipients, convSeq);
            expansions.add(expansion);
            outputs.add(expansion);
            entryCount += recipients.size();
            for (String user : recipients) {
                outputs.add(new StateChange(
                        new InboxRecord.GroupChanged(user, entry.conversation(), user.equals(leaving), dissolving)));
            }
        }
    }

    /** The id of a group's {@code group.created} entry. */
    static String createdId(String groupId) {
        return MessageId.forChange("system", "group.created", groupId);
    }

    /** The id of the system entry of a group change. */
    static String systemId(ConversationRecord.GroupChange change) {
        return MessageId.forChange("system", change.eventId());
    }

    private static ConversationRecord.MessagePosted system(
            String id, String conversation, String from, ObjectNode content, Instant at) {
        return new ConversationRecord.MessagePosted(
                id, "system:" + id, conversation, from, MessageContent.SYSTEM, content, at, null, null);
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
