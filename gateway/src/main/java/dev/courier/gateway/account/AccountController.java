package dev.courier.gateway.account;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.AccessTokens;
import dev.courier.common.ErrorCode;
import dev.courier.common.Ids;
import dev.courier.gateway.RateLimiter;
import dev.courier.store.AccountRepository;
import dev.courier.store.DeviceRepository;
import dev.courier.web.ApiException;
import dev.courier.web.Caller;
import dev.courier.web.KnownDevices;

/** {@code POST /v1/accounts} and {@code POST /v1/sessions}. */
@RestController
class AccountController {

    /** BCrypt's own limit: bytes past 72 would be ignored, so longer passwords are refused rather than truncated. */
    private static final int MAX_PASSWORD_BYTES = 72;

    private final AccountRepository accounts;

    private final AccessTokens tokens;

    private final BCryptPasswordEncoder passwords = new BCryptPasswordEncoder();

    /** Compared against when the user does not exist, so that a wrong user id costs as long as a wrong password. */
    private final String decoyHash = passwords.encode("decoy-password");

    private final Clock clock;

    private final RateLimiter limits;

    private final DeviceRepository devices;

    private final KnownDevices knownDevices;

    AccountController(
            AccountRepository accounts,
            DeviceRepository devices,
            AccessTokens tokens,
            Clock clock,
            RateLimiter limits,
            KnownDevices knownDevices) {
        this.accounts = accounts;
        this.devices = devices;
        this.tokens = tokens;
        this.clock = clock;
        this.limits = limits;
        this.knownDevices = knownDevices;
    }

    @PostMapping("/v1/accounts")
    @ResponseStatus(HttpStatus.CREATED)
    AccountCreated create(@Valid @RequestBody CreateAccount request) {
        if (request.password().getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw ApiException.invalid("password: must be at most " + MAX_PASSWORD_BYTES + " bytes of UTF-8");
        }
        try {
            accounts.createPerson(
                    request.userId(), request.displayName(), passwords.encode(request.password()), clock.millis());
        } catch (DuplicateKeyException e) {
            throw new ApiException(ErrorCode.CONFLICT, "userId: '" + request.userId() + "' is taken");
        }
        return new AccountCreated(request.userId(), request.displayName());
    }

    @PostMapping("/v1/sessions")
    SessionCreated login(@Valid @RequestBody CreateSession request, HttpServletRequest http) {
        String address = http.getRemoteAddr();
        limits.checkLogin(request.userId(), address);
        // an id no account can have is not looked up (ids are ASCII: other text cannot be compared with them)
        String hash = Ids.isUserId(request.userId())
                ? accounts.passwordHash(request.userId()).orElse(null)
                : null;
        boolean matches = passwords.matches(request.password(), hash != null ? hash : decoyHash);
        if (hash == null || !matches) {
            limits.failedLogin(request.userId(), address);
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "unknown user id or wrong password");
        }
        devices.touch(request.userId(), request.deviceId(), clock.millis());
        AccessTokens.Issued issued = tokens.issue(request.userId(), request.deviceId());
        return new SessionCreated(issued.token(), issued.expiresAt());
    }

    /** Signs this device out: its tokens stop working (on every instance within the device-check cache time). */
    @DeleteMapping("/v1/sessions")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logout(Caller caller) {
        devices.delete(caller.userId(), caller.deviceId());
        knownDevices.forget(caller.userId(), caller.deviceId());
    }

    record CreateAccount(
            @NotNull @Pattern(regexp = "[a-z0-9._-]{1,64}", message = Ids.USER_ID_RULE)
            String userId,

            @NotNull @Size(min = 8, max = 72, message = "must have 8 to 72 characters")
            String password,

            @NotNull @Size(min = 1, max = 128, message = "must have 1 to 128 characters")
            String displayName) {}

    record AccountCreated(String userId, String displayName) {}

    record CreateSession(
            @NotNull String userId,
            @NotNull String password,

            @NotNull @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = Ids.DEVICE_ID_RULE)
            String deviceId) {}

    record SessionCreated(String token, Instant expiresAt) {}
}
