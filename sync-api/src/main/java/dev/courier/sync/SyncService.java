package dev.courier.sync;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.courier.common.SyncKey;
import dev.courier.common.SyncKeyCodec;
import dev.courier.web.ApiException;

/**
 * Computes a delta: the account when its version moved past the key's, the contacts changed after the key's contacts
 * version, and up to {@code limit} inbox entries after the key's seq, in seq order. All three are read in one
 * transaction, so the new key describes one consistent snapshot.
 */
@Service
class SyncService {

    private final SyncRepository repository;

    private final SyncKeyCodec codec;

    private final StoreEpoch epoch;

    SyncService(SyncRepository repository, SyncKeyCodec codec, StoreEpoch epoch) {
        this.repository = repository;
        this.codec = codec;
        this.epoch = epoch;
    }

    @Transactional(readOnly = true)
    public SyncResponse sync(String userId, @Nullable String presentedKey, int limit) {
        long currentEpoch = epoch.current();
        SyncKey key = presentedKey == null ? SyncKey.initial(userId, currentEpoch)
                : codec.decode(presentedKey, userId);
        boolean resync = key.epoch() != currentEpoch;
        if (resync) {
            key = SyncKey.initial(userId, currentEpoch);
        }
        SyncRepository.Account account = repository.account(userId)
            .orElseThrow(() -> ApiException.notFound("no user '" + userId + "'"));
        SyncResponse.AccountView accountView = account.version() > key.accountVersion()
                ? new SyncResponse.AccountView(userId, account.displayName(), account.version()) : null;
        List<SyncResponse.Contact> contacts = account.contactsVersion() > key.contactsVersion()
                ? repository.contacts(userId, key.contactsVersion(), account.contactsVersion()) : List.of();
        List<SyncResponse.Message> messages = repository.messages(userId, key.messageSeq(), limit + 1);
        boolean hasMore = messages.size() > limit;
        if (hasMore) {
            messages = messages.subList(0, limit);
        }
        long lastSeq = messages.isEmpty() ? key.messageSeq() : messages.getLast().seq();
        SyncKey next = new SyncKey(userId, currentEpoch, Math.max(key.accountVersion(), account.version()),
                Math.max(key.contactsVersion(), account.contactsVersion()), lastSeq);
        return new SyncResponse(codec.encode(next), hasMore, resync, accountView, contacts, List.copyOf(messages));
    }
}
