package dev.courier.fanout.inbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.courier.common.ConversationId;
import dev.courier.common.InboxRecord;
import dev.courier.common.MessageContent;
import dev.courier.common.PushCandidate;
import dev.courier.store.ConversationRepository;
import dev.courier.store.ConversationRepository.State;
import dev.courier.store.MessageRepository;

/**
 * One batch of the inbox writer, applied in the order of its records within the caller's transaction: entries get
 * the user's next inbox seq (an entry already present is skipped, so a redelivered batch writes nothing twice), and
 * every record moves the user's state of its conversation:
 * <ul>
 * <li>an entry: {@code lastConvSeq}, the last message (unless a lifecycle entry), the activity order; a message of
 * the user marks the conversation read up to it, a message of someone else counts as unread and, in a direct
 * conversation, is the peer's read up to it; a recall, or a delete for the user, counts the unread again;</li>
 * <li>a read: {@code readSeq} (never back), and the unread count counted again from the stored messages;</li>
 * <li>a peer's read: {@code peerReadSeq} (never back); a mute: {@code muted}.</li>
 * </ul>
 * Each change gives the state the user's next conversations version. The batch reads what it needs in a few
 * statements and writes rows, states and counters in a few more. Not thread-safe: one per batch.
 */
final class InboxBatch {

    private final InboxRepository inbox;

    private final ConversationRepository conversations;

    private final MessageRepository messages;

    /** The inbox rows written, in order. */
    private final List<InboxCommitListener.Row> rows = new ArrayList<>();

    /** Each user's counters as the batch moves them. */
    private final Map<String, InboxRepository.Head> heads = new HashMap<>();

    /** Users whose counters the batch moved. */
    private final Set<String> touched = new LinkedHashSet<>();

    /** The states the batch read or made, as it moves them. */
    private final Map<ConversationRepository.Key, State> states = new HashMap<>();

    /** The states the batch changed. */
    private final Set<ConversationRepository.Key> changed = new LinkedHashSet<>();

    /** The rows of users' groups data type the batch wrote, by user and group. */
    private final Map<String, InboxRepository.UserGroup> userGroups = new LinkedHashMap<>();

    private int duplicates;

    /** The batch's users with a push token: only they get push candidates. */
    private final Set<String> withTokens = new HashSet<>();

    /** Entries that may call for a push, without badge and commit time yet. */
    private final List<PushCandidate> pushes = new ArrayList<>();

    InboxBatch(InboxRepository inbox, ConversationRepository conversations, MessageRepository messages) {
        this.inbox = inbox;
        this.conversations = conversations;
        this.messages = messages;
    }

    /** Applies the records in order; writes nothing yet. */
    void apply(List<InboxRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        Set<String> users = new LinkedHashSet<>();
        Set<String> undescribed = new HashSet<>();
        Set<ConversationRepository.Key> keys = new LinkedHashSet<>();
        for (InboxRecord record : records) {
            users.add(record.userId());
            keys.add(new ConversationRepository.Key(record.userId(), record.conversation()));
            if (record instanceof InboxRecord.Entry entry
                    && (entry.convSeq() == 0 || entry.from() == null || entry.kind() == null)) {
                undescribed.add(entry.messageId());
            }
        }
        if (fewPerConversation(users, keys)) {
            // a batch of direct chat: one statement reads all it needs
            InboxRepository.Reads reads = inbox.headsTokensAndStates(List.copyOf(users), List.copyOf(keys));
            heads.putAll(reads.heads());
            withTokens.addAll(reads.withTokens());
            states.putAll(reads.states());
        } else {
            InboxRepository.HeadsAndTokens counters = inbox.headsAndTokens(users);
            heads.putAll(counters.heads());
            withTokens.addAll(counters.withTokens());
            states.putAll(conversations.statesToWrite(keys));
        }
        // An entry already written moved its user's state to its convSeq at least (in the same transaction), so
        // only an entry numbered at or below the stored lastConvSeq, or without a number, can be a redelivery: the
        // others, nearly all of them, are new without asking the inbox.
        Map<String, Set<String>> suspects = new LinkedHashMap<>();
        for (InboxRecord record : records) {
            if (record instanceof InboxRecord.Entry entry) {
                State stored = states.get(new ConversationRepository.Key(entry.userId(), entry.conversation()));
                if (stored != null && (entry.convSeq() == 0 || entry.convSeq() <= stored.lastConvSeq())) {
                    suspects.computeIfAbsent(entry.messageId(), m -> new LinkedHashSet<>())
                            .add(entry.userId());
                }
            }
        }
        Map<String, Long> present = suspects.isEmpty() ? Map.of() : inbox.present(suspects);
        // records written before messages were numbered, or an old single entry: read what they lack
        Map<String, MessageRepository.Described> described =
                undescribed.isEmpty() ? Map.of() : messages.describe(undescribed);
        Set<String> written = new HashSet<>();
        for (InboxRecord record : records) {
            switch (record) {
                case InboxRecord.Entry entry -> {
                    String pair = entry.userId() + " " + entry.messageId();
                    Long presentSeq = present.get(pair);
                    if (presentSeq != null) {
                        duplicates++;
                        // written by an earlier delivery of this batch that may have died before its candidates
                        // were published: they are published again
                        State stored = states.get(new ConversationRepository.Key(entry.userId(), entry.conversation()));
                        InboxRecord.Entry again = describe(entry, described);
                        // one the user has read meanwhile (a late redelivery) is no longer news
                        if (stored == null || again.convSeq() > stored.readSeq()) {
                            mayPush(again, presentSeq, stored != null && stored.muted());
                        }
                    } else if (!written.add(pair)) {
                        duplicates++;
                    } else {
                        enter(describe(entry, described));
                    }
                }
                case InboxRecord.Read read -> read(read);
                case InboxRecord.PeerRead peerRead -> peerRead(peerRead);
                case InboxRecord.Muted muted -> mute(muted);
                case InboxRecord.GroupChanged group -> groupChanged(group);
            }
        }
    }

    /**
     * Whether the batch's states are read pair by pair (no conversation with {@value
     * ConversationRepository#MANY_MEMBERS} of its users or more, which are read by conversation) and all its reads fit
     * one statement.
     */
    private static boolean fewPerConversation(Set<String> users, Set<ConversationRepository.Key> keys) {
        if (users.size() > InboxRepository.ROWS_PER_STATEMENT || keys.size() > InboxRepository.ROWS_PER_STATEMENT) {
            return false;
        }
        Map<String, Integer> perConversation = new HashMap<>();
        for (ConversationRepository.Key key : keys) {
            if (perConversation.merge(key.conversation(), 1, Integer::sum) >= ConversationRepository.MANY_MEMBERS) {
                return false;
            }
        }
        return true;
    }

    private static InboxRecord.Entry describe(
            InboxRecord.Entry entry, Map<String, MessageRepository.Described> described) {
        MessageRepository.Described stored = described.get(entry.messageId());
        if (stored == null) {
            return entry;
        }
        return new InboxRecord.Entry(
                entry.userId(),
                entry.messageId(),
                entry.conversation(),
                entry.convSeq() != 0 ? entry.convSeq() : stored.convSeq(),
                entry.from() != null ? entry.from() : stored.from(),
                entry.kind() != null ? entry.kind() : stored.kind());
    }

    private void enter(InboxRecord.Entry entry) {
        InboxRepository.Head head = head(entry.userId());
        long seq = head.headSeq() + 1;
        head = head.withSeq(seq);
        heads.put(entry.userId(), head);
        touched.add(entry.userId());
        rows.add(new InboxCommitListener.Row(entry.userId(), seq, entry.messageId()));

        State state = stateOf(entry.userId(), entry.conversation());
        String kind = entry.kind() != null ? entry.kind() : "text";
        boolean lifecycle = MessageContent.isLifecycle(kind);
        boolean own = entry.userId().equals(entry.from());
        long convSeq = Math.max(state.lastConvSeq(), entry.convSeq());
        // the newest entry is the last message: one numbered below it (never expected: a conversation's entries reach
        // an inbox in log order) leaves it
        String lastMessageId = lifecycle || (entry.convSeq() != 0 && entry.convSeq() < state.lastConvSeq())
                ? state.lastMessageId()
                : entry.messageId();
        long readSeq = state.readSeq();
        int unread = state.unread();
        long peerReadSeq = state.peerReadSeq();
        if (own && MessageContent.countsAsUnread(kind)) {
            // sending marks the conversation read up to the message: nothing after it has arrived yet
            readSeq = Math.max(readSeq, entry.convSeq());
            unread = 0;
        } else if (!own && MessageContent.countsAsUnread(kind) && entry.convSeq() > readSeq) {
            unread++;
        }
        if (!own && state.direct() && MessageContent.countsAsUnread(kind)) {
            // the peer sent it, and sending marks read for the sender
            peerReadSeq = Math.max(peerReadSeq, entry.convSeq());
        }
        if (kind.equals("recall") || kind.equals("delete")) {
            // a recalled message, or one the user deleted for themselves, stops counting: counted again, exactly
            unread = conversations.countUnread(entry.userId(), entry.conversation(), readSeq, convSeq);
        }
        change(new State(
                state.userId(),
                state.conversation(),
                convSeq,
                lastMessageId,
                // a delete for oneself is no activity of the conversation: it does not move it up the chat list
                kind.equals("delete") ? state.lastSeq() : seq,
                readSeq,
                unread,
                peerReadSeq,
                state.muted(),
                state.version(),
                null));
        mayPush(entry, seq, state.muted());
    }

    /**
     * Keeps the entry as a push candidate if it is a message people send, from someone else, in a conversation the
     * user has not muted, and the user has a push token (PROTOCOL.md, "Pushes to offline devices").
     */
    private void mayPush(InboxRecord.Entry entry, long seq, boolean muted) {
        String kind = entry.kind() != null ? entry.kind() : "text";
        String from = entry.from();
        if (muted
                || from == null
                || from.equals(entry.userId())
                || !MessageContent.countsAsUnread(kind)
                || !withTokens.contains(entry.userId())) {
            return;
        }
        pushes.add(new PushCandidate(entry.userId(), seq, entry.messageId(), entry.conversation(), from, kind, 0, 0));
    }

    private void read(InboxRecord.Read read) {
        State state = states.get(new ConversationRepository.Key(read.userId(), read.conversation()));
        if (state == null) {
            return; // nothing of the conversation reached this user: there is nothing to mark read
        }
        long readSeq = Math.min(read.convSeq(), state.lastConvSeq());
        if (readSeq <= state.readSeq()) {
            return; // a read never goes back
        }
        int unread = conversations.countUnread(read.userId(), read.conversation(), readSeq, state.lastConvSeq());
        change(new State(
                state.userId(),
                state.conversation(),
                state.lastConvSeq(),
                state.lastMessageId(),
                state.lastSeq(),
                readSeq,
                unread,
                state.peerReadSeq(),
                state.muted(),
                state.version(),
                null));
    }

    private void peerRead(InboxRecord.PeerRead peerRead) {
        State state = states.get(new ConversationRepository.Key(peerRead.userId(), peerRead.conversation()));
        if (state == null || peerRead.convSeq() <= state.peerReadSeq()) {
            return;
        }
        change(new State(
                state.userId(),
                state.conversation(),
                state.lastConvSeq(),
                state.lastMessageId(),
                state.lastSeq(),
                state.readSeq(),
                state.unread(),
                peerRead.convSeq(),
                state.muted(),
                state.version(),
                null));
    }

    private void mute(InboxRecord.Muted muted) {
        State state = states.get(new ConversationRepository.Key(muted.userId(), muted.conversation()));
        if (state == null || state.muted() == muted.muted()) {
            return;
        }
        change(new State(
                state.userId(),
                state.conversation(),
                state.lastConvSeq(),
                state.lastMessageId(),
                state.lastSeq(),
                state.readSeq(),
                state.unread(),
                state.peerReadSeq(),
                muted.muted(),
                state.version(),
                null));
    }

    /** The group's object changed for the user: it is listed in their groups data type under its next version. */
    private void groupChanged(InboxRecord.GroupChanged change) {
        InboxRepository.Head head = head(change.userId());
        long version = head.groupsVersion() + 1;
        heads.put(change.userId(), head.withGroups(version));
        touched.add(change.userId());
        String groupId = new ConversationId(change.conversation()).groupId();
        userGroups.put(
                change.userId() + " " + groupId,
                new InboxRepository.UserGroup(change.userId(), groupId, version, change.left(), change.dissolved()));
    }

    private State stateOf(String userId, String conversation) {
        return states.computeIfAbsent(
                new ConversationRepository.Key(userId, conversation), key -> State.fresh(userId, conversation));
    }

    private InboxRepository.Head head(String userId) {
        return heads.getOrDefault(userId, InboxRepository.Head.NONE);
    }

    /** Keeps the changed state under the user's next conversations version, and the user's unread total with it. */
    private void change(State next) {
        ConversationRepository.Key key = new ConversationRepository.Key(next.userId(), next.conversation());
        State before = states.get(key);
        InboxRepository.Head head = head(next.userId());
        long version = head.conversationsVersion() + 1;
        long unreadTotal = head.unreadTotal() + next.unread() - (before == null ? 0 : before.unread());
        heads.put(next.userId(), head.withConversations(version, unreadTotal));
        touched.add(next.userId());
        states.put(
                key,
                new State(
                        next.userId(),
                        next.conversation(),
                        next.lastConvSeq(),
                        next.lastMessageId(),
                        next.lastSeq(),
                        next.readSeq(),
                        next.unread(),
                        next.peerReadSeq(),
                        next.muted(),
                        version,
                        null));
        changed.add(key);
    }

    /** Writes the rows, the changed states and the counters. */
    void write(long now) {
        if (!rows.isEmpty()) {
            inbox.insert(rows, now);
        }
        if (!changed.isEmpty()) {
            List<State> changedStates = new ArrayList<>(changed.size());
            changed.forEach(key -> changedStates.add(states.get(key)));
            conversations.save(changedStates);
        }
        if (!userGroups.isEmpty()) {
            inbox.saveUserGroups(userGroups.values());
        }
        if (!touched.isEmpty()) {
            Map<String, InboxRepository.Head> moved = new LinkedHashMap<>();
            touched.forEach(user -> moved.put(user, head(user)));
            inbox.saveHeads(moved);
        }
    }

    List<InboxCommitListener.Row> rows() {
        return rows;
    }

    int duplicates() {
        return duplicates;
    }

    /**
     * The push candidates of the batch's entries, redelivered ones included, in order, for users with a push token:
     * each with the user's unread total once the batch is written as its badge.
     */
    List<PushCandidate> pushCandidates(long committedAt) {
        List<PushCandidate> candidates = new ArrayList<>(pushes.size());
        for (PushCandidate push : pushes) {
            candidates.add(new PushCandidate(
                    push.userId(),
                    push.seq(),
                    push.messageId(),
                    push.conversation(),
                    push.from(),
                    push.kind(),
                    Math.max(0, head(push.userId()).unreadTotal()),
                    committedAt));
        }
        return candidates;
    }

    /** The new inbox head of every user the batch entered rows for. */
    Map<String, Long> newHeads() {
        Map<String, Long> newHeads = new LinkedHashMap<>();
        for (InboxCommitListener.Row row : rows) {
            newHeads.put(row.userId(), row.seq());
        }
        return newHeads;
    }

    /** The users whose groups data type moved: they get a {@code groups} hint. */
    Set<String> groupsChanged() {
        Set<String> users = new LinkedHashSet<>();
        userGroups.values().forEach(group -> users.add(group.userId()));
        return users;
    }

    /** The users whose conversation states changed without a new inbox row: they get a {@code conversations} hint. */
    Set<String> statesOnly() {
        Set<String> users = new LinkedHashSet<>();
        changed.forEach(key -> users.add(key.userId()));
        rows.forEach(row -> users.remove(row.userId()));
        return users;
    }
}
