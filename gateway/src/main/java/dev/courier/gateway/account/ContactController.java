package dev.courier.gateway.account;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.Hints;
import dev.courier.common.Ids;
import dev.courier.gateway.ChangeHintPublisher;
import dev.courier.store.AccountRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;

/**
 * {@code PATCH /v1/account}, {@code PUT} and {@code DELETE /v1/contacts/{userId}}: committed before the answer, so the
 * next sync of any device sees the change; a hint tells connected devices at once.
 */
@RestController
class ContactController {

    private final ContactRepository contacts;

    private final AccountRepository accounts;

    private final ChangeHintPublisher hints;

    ContactController(ContactRepository contacts, AccountRepository accounts, ChangeHintPublisher hints) {
        this.contacts = contacts;
        this.accounts = accounts;
        this.hints = hints;
    }

    @PatchMapping("/v1/account")
    AccountView rename(Caller caller, @Valid @RequestBody Rename request) {
        long version = contacts.rename(caller.userId(), request.displayName());
        hints.changed(caller.userId(), Hints.ACCOUNT);
        return new AccountView(caller.userId(), request.displayName(), version);
    }

    @PutMapping("/v1/contacts/{userId}")
    ContactView put(
            Caller caller,
            @PathVariable String userId,
            @Valid @RequestBody(required = false) @Nullable PutContact request) {
        if (userId.equals(caller.userId())) {
            throw ApiException.invalid("userId: you cannot be your own contact");
        }
        if (!Ids.isUserId(userId) || !accounts.exists(userId)) {
            throw ApiException.notFound("userId: no user '" + userId + "'");
        }
        String alias = request == null ? null : request.alias();
        long version = contacts.put(caller.userId(), userId, alias);
        hints.changed(caller.userId(), Hints.CONTACTS);
        return new ContactView(userId, alias, false, version);
    }

    @DeleteMapping("/v1/contacts/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String userId) {
        if (!Ids.isUserId(userId)) {
            throw ApiException.notFound("userId: '" + userId + "' is not your contact");
        }
        contacts.delete(caller.userId(), userId)
                .orElseThrow(() -> ApiException.notFound("userId: '" + userId + "' is not your contact"));
        hints.changed(caller.userId(), Hints.CONTACTS);
    }

    record Rename(
            @NotNull @Size(min = 1, max = 128, message = "must have 1 to 128 characters")
            String displayName) {}

    record PutContact(
            @Size(max = 128, message = "must have at most 128 characters") @Nullable
            String alias) {}

    record AccountView(String userId, String displayName, long version) {}

    record ContactView(String userId, @Nullable String alias, boolean deleted, long version) {}
}
