package dev.courier.sync;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.courier.common.SyncKey;
import dev.courier.common.SyncKeyCodec;
import dev.courier.store.ConversationRepository;
import dev.courier.store.GroupRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;
import dev.courier.web.ConversationView;
import dev.courier.web.GroupView;

/**
 * Computes deltas (PROTOCOL.md, "Sync API"). All reads of one delta see one snapshot, so the new key describes one
 * consistent state: the common delta after a key (messages, conversation states, the account) is read in one
 * statement ({@link #incremental}), any other in one read-only transaction ({@link #inTransaction}). The key the device presented is its acknowledgement: its message position is
 * recorded for the device, and retention trims only what every active device acknowledged.
 * <p>
 * A first sync (no key) returns the account, all contacts and the most recent messages. A key that cannot be served
 * exactly (another epoch, an inbox trimmed past it, or a store that is behind it) is answered like a first sync, with
 * {@code resync} set: messages are never silently skipped.
 */
@Service
public class SyncService {

    private final SyncRepository repository;

    private final SyncKeyCodec codec;

    private final StoreEpoch epoch;

    private final TransactionTemplate readOnly;

    private final Clock clock;

    private final MeterRegistry meters;

    private final DeviceAcknowledgements acknowledgements;

    private final ConversationRepository conversations;

    private final SyncProperties properties;

    private final GroupRepository groups;

    SyncService(
            SyncRepository repository,
            SyncKeyCodec codec,
            StoreEpoch epoch,
            TransactionTemplate transactions,
            Clock clock,
            MeterRegistry meters,
            DeviceAcknowledgements acknowledgements,
            ConversationRepository conversations,
            GroupRepository groups,
            SyncProperties properties) {
        this.groups = groups;
        this.acknowledgements = acknowledgements;
        this.conversations = conversations;
        this.properties = properties;
        this.meters = meters;
        this.repository = repository;
        this.codec = codec;
        this.epoch = epoch;
        this.readOnly = new TransactionTemplate(Objects.requireNonNull(transactions.getTransactionManager()));
        this.readOnly.setReadOnly(true);
        this.clock = clock;
    }

    /**
     * The delta after {@code presentedKey}, recording the key as the device's acknowledgement.
     *
     * @throws SyncKeyCodec.InvalidSyncKeyException when the key is malformed or another user's
     */
    public SyncResponse sync(Caller caller, @Nullable String presentedKey, int limit) {
        Timer.Sample sample = Timer.start(meters);
        Delta delta = compute(caller, presentedKey, limit);
        acknowledge(caller, delta);
        sample.stop(meters.timer("courier.sync.latency"));
        return delta.response();
    }

    /**
     * The delta after {@code presentedKey}, recording nothing.
     *
     * @throws SyncKeyCodec.InvalidSyncKeyException when the key is malformed or another user's
     */
    Delta compute(Caller caller, @Nullable String presentedKey, int limit) {
        SyncKey presented = presentedKey == null ? null : codec.decode(presentedKey, caller.userId());
        SyncResponse incremental = presented == null ? null : incremental(caller.userId(), presented, limit);
        return new Delta(
                presented, incremental != null ? incremental : inTransaction(caller.userId(), presented, limit));
    }

    /** The delta after {@code presented} (or a first sync), every read in one read-only transaction. */
    SyncResponse inTransaction(String userId, @Nullable SyncKey presented, int limit) {
        return Objects.requireNonNull(readOnly.execute(status -> delta(userId, presented, limit)));
    }

    /**
     * The delta after a key in one statement ({@link SyncRepository#incremental}), the same answer as
     * {@link #delta}'s for the same snapshot, when nothing but the account, conversation states and messages moved
     * since the key; {@code null} when the key needs more (contacts or groups changed, or a resync, or no such user):
     * then the transactional read answers. Nearly every sync after a hint is of the first kind.
     */
    @Nullable
    SyncResponse incremental(String userId, SyncKey key, int limit) {
        long currentEpoch = epoch.current();
        if (key.epoch() != currentEpoch) {
            return null;
        }
        int conversationsLimit = properties.firstConversations();
        SyncRepository.Incremental read = repository
                .incremental(userId, key.conversationsVersion(), conversationsLimit + 1, key.messageSeq(), limit + 1)
                .orElse(null);
        if (read == null) {
            return null;
        }
        SyncRepository.UserState state = read.user();
        if (!servable(key, state, currentEpoch)
                || key.contactsVersion() != state.contactsVersion()
                || key.groupsVersion() != state.groupsVersion()) {
            return null;
        }
        SyncResponse.AccountView account = state.accountVersion() > key.accountVersion()
                ? new SyncResponse.AccountView(userId, state.displayName(), state.accountVersion())
                : null;
        List<ConversationRepository.State> states = read.states();
        // the key's version is at most the state's here
        long conversationsVersion = state.conversationsVersion();
        boolean hasMore = states.size() > conversationsLimit;
        if (hasMore) {
            states = states.subList(0, conversationsLimit);
            conversationsVersion = states.getLast().version();
        }
        List<SyncResponse.Message> messages = read.messages();
        hasMore |= messages.size() > limit;
        if (messages.size() > limit) {
            messages = messages.subList(0, limit);
        }
        long lastSeq =
                messages.isEmpty() ? key.messageSeq() : messages.getLast().seq();
        SyncKey next = new SyncKey(
                userId,
                currentEpoch,
                state.accountVersion(),
                key.contactsVersion(),
                lastSeq,
                conversationsVersion,
                key.groupsVersion());
        return new SyncResponse(
                codec.encode(next),
                hasMore,
                false,
                account,
                List.of(),
                states.stream().map(ConversationView::of).toList(),
                List.of(),
                List.copyOf(messages));
    }

    /**
     * Checks a presented key without touching the database.
     *
     * @throws SyncKeyCodec.InvalidSyncKeyException when the key is malformed or another user's
     */
    void validate(Caller caller, @Nullable String presentedKey) {
        if (presentedKey != null) {
            codec.decode(presentedKey, caller.userId());
        }
    }

    /** Records the key the device presented as its acknowledgement (and that the device is active). */
    void acknowledge(Caller caller, Delta delta) {
        if (delta.response().resync()) {
            meters.counter("courier.sync.resyncs").increment();
        }
        meters.counter("courier.sync.messages")
                .increment(delta.response().messages().size());
        SyncKey presented = delta.presented();
        long acknowledged = presented != null && !delta.response().resync() ? presented.messageSeq() : 0;
        acknowledgements.record(caller.userId(), caller.deviceId(), acknowledged, clock.millis());
    }

    /**
     * Whether a delta can be served exactly after the key: of this epoch, not behind retention, and nothing in it
     * ahead of the store (else the answer is a resync).
     */
    private static boolean servable(SyncKey key, SyncRepository.UserState state, long currentEpoch) {
        return key.epoch() == currentEpoch
                && key.messageSeq() >= state.trimmedSeq()
                && key.messageSeq() <= state.headSeq()
                && key.accountVersion() <= state.accountVersion()
                && key.contactsVersion() <= state.contactsVersion()
                && key.conversationsVersion() <= state.conversationsVersion()
                && key.groupsVersion() <= state.groupsVersion();
    }

    /** A computed answer and the key it answers. */
    record Delta(@Nullable SyncKey presented, SyncResponse response) {}

    private SyncResponse delta(String userId, @Nullable SyncKey presented, int limit) {
        long currentEpoch = epoch.current();
        SyncRepository.UserState state =
                repository.userState(userId).orElseThrow(() -> ApiException.notFound("no user '" + userId + "'"));
        boolean resync = presented != null && !servable(presented, state, currentEpoch);
        SyncKey key = presented == null || resync ? SyncKey.initial(userId, currentEpoch) : presented;
        boolean fresh = presented == null || resync;

        SyncResponse.AccountView account = state.accountVersion() > key.accountVersion()
                ? new SyncResponse.AccountView(userId, state.displayName(), state.accountVersion())
                : null;
        List<SyncResponse.Contact> contacts = state.contactsVersion() > key.contactsVersion()
                ? repository.contacts(userId, key.contactsVersion(), state.contactsVersion())
                : List.of();
        if (fresh) {
            // a device starting afresh needs the contacts, not the history of deletions
            contacts = contacts.stream().filter(contact -> !contact.deleted()).toList();
        }
        // conversations: every state on a first sync, newest activity first, at most first-conversations of them (the
        // list call pages through the rest); after a key, the states changed since, in version order
        List<ConversationRepository.State> states;
        long conversationsVersion = state.conversationsVersion();
        boolean moreConversations = false;
        if (fresh) {
            states = conversations.newest(userId, Long.MAX_VALUE, properties.firstConversations());
        } else if (key.conversationsVersion() >= state.conversationsVersion()) {
            states = List.of();
            conversationsVersion = key.conversationsVersion();
        } else {
            states = conversations.changedAfter(
                    userId,
                    key.conversationsVersion(),
                    state.conversationsVersion(),
                    properties.firstConversations() + 1);
            moreConversations = states.size() > properties.firstConversations();
            if (moreConversations) {
                states = states.subList(0, properties.firstConversations());
                conversationsVersion = states.getLast().version();
            }
        }
        // groups: on a first sync every group the user is in now; after a key, each group whose object changed since,
        // once, as it is now (or as left, or dissolved)
        List<GroupView> groupViews = fresh
                ? groups.details(groups.groupsOf(userId)).stream()
                        .map(GroupView::of)
                        .toList()
                : key.groupsVersion() >= state.groupsVersion()
                        ? List.of()
                        : changedGroups(userId, key.groupsVersion(), state.groupsVersion());
        long groupsVersion = Math.max(key.groupsVersion(), state.groupsVersion());
        List<SyncResponse.Message> messages;
        boolean hasMore = moreConversations;
        long lastSeq;
        if (fresh) {
            messages = state.headSeq() == 0 ? List.of() : repository.latestMessages(userId, state.headSeq(), limit);
            lastSeq = state.headSeq();
        } else if (key.messageSeq() >= state.headSeq()) {
            messages = List.of();
            lastSeq = key.messageSeq();
        } else {
            messages = repository.messagesAfter(userId, key.messageSeq(), limit + 1);
            hasMore |= messages.size() > limit;
            if (messages.size() > limit) {
                messages = messages.subList(0, limit);
            }
            lastSeq = messages.isEmpty() ? key.messageSeq() : messages.getLast().seq();
        }
        SyncKey next = new SyncKey(
                userId,
                currentEpoch,
                Math.max(key.accountVersion(), state.accountVersion()),
                Math.max(key.contactsVersion(), state.contactsVersion()),
                lastSeq,
                conversationsVersion,
                groupsVersion);
        return new SyncResponse(
                codec.encode(next),
                hasMore,
                resync,
                account,
                contacts,
                states.stream().map(ConversationView::of).toList(),
                groupViews,
                List.copyOf(messages));
    }

    private List<GroupView> changedGroups(String userId, long after, long upTo) {
        List<SyncRepository.ChangedGroup> changed = repository.groupsAfter(userId, after, upTo);
        Map<String, GroupRepository.Details> details = new HashMap<>();
        groups.details(changed.stream()
                        .map(SyncRepository.ChangedGroup::groupId)
                        .toList())
                .forEach(group -> details.put(group.group().groupId(), group));
        List<GroupView> views = new ArrayList<>(changed.size());
        for (SyncRepository.ChangedGroup group : changed) {
            GroupRepository.Details now = details.get(group.groupId());
            if (now == null) {
                continue; // no such group any more (never removed, but a store may be edited by hand)
            }
            views.add(group.left() && !group.dissolved() ? GroupView.left(now.group()) : GroupView.of(now));
        }
        return views;
    }
}
