package dev.courier.gateway.account;

import java.time.Clock;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.PushTokens;
import dev.courier.store.PushTokenRepository;
import dev.courier.web.Caller;

/**
 * {@code PUT} and {@code DELETE /v1/devices/current/push}: the push token of the calling device (PROTOCOL.md, "Pushes
 * to offline devices"). The push-worker reads it when a push for the device is due; signing out removes it.
 */
@RestController
class PushTokenController {

    private final PushTokenRepository tokens;

    private final Clock clock;

    PushTokenController(PushTokenRepository tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    /** Sets this device's token, replacing an earlier one (of any provider). */
    @PutMapping("/v1/devices/current/push")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void set(Caller caller, @Valid @RequestBody PushTokenRequest request) {
        tokens.save(caller.userId(), caller.deviceId(), request.provider(), request.token(), clock.millis());
    }

    /** Removes this device's token; removing none is no error. */
    @DeleteMapping("/v1/devices/current/push")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void clear(Caller caller) {
        tokens.delete(caller.userId(), caller.deviceId());
    }

    record PushTokenRequest(
            @NotNull @Pattern(regexp = "apns|fcm|webhook", message = PushTokens.PROVIDER_RULE)
            String provider,

            @NotNull
            @Pattern(
                    regexp = "[\\x21-\\x7E]{1," + PushTokens.MAX_TOKEN_LENGTH + "}",
                    message = "must be " + PushTokens.TOKEN_RULE)
            String token) {}
}
