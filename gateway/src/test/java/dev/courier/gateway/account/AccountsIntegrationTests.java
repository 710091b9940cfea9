package dev.courier.gateway.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.common.AccessTokens;
import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.client.Api;
import dev.courier.web.AuthProperties;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** Accounts and sessions: create, conflict, log in, wrong credentials, sign out; tokens that do not let anyone in. */
class AccountsIntegrationTests {

    private final Api api = TestGateway.api();

    @Test
    void accountIsCreatedWithAHashedPasswordAndItsUserIdIsThenTaken() {
        String userId = Api.uniqueId("alice");
        Api.Response created = api.createAccount(userId, "password-of-alice", "Alice");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.body().path("userId").asString()).isEqualTo(userId);
        assertThat(created.body().path("displayName").asString()).isEqualTo("Alice");
        record Row(String displayName, String passwordHash, String kind, long accountVersion) {}
        Row row = TestGateway.database()
                .sql("SELECT display_name, password_hash, kind, account_version FROM accounts WHERE user_id = ?")
                .param(userId)
                .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)))
                .single();
        assertThat(row.displayName()).isEqualTo("Alice");
        assertThat(row.passwordHash()).startsWith("$2").doesNotContain("password-of-alice");
        assertThat(row.kind()).isEqualTo("user");

        assertProblem(api.createAccount(userId, "another-password", "Other"), 409, "conflict", "userId");
        assertThat(api.login(userId, "password-of-alice", "phone").status())
                .as("the first account is untouched")
                .isEqualTo(200);
    }

    @Test
    void invalidAccountsNameTheField() {
        assertProblem(api.createAccount("Bad User", "long-enough-pw", "B"), 400, "invalid_request", "userId");
        assertProblem(api.createAccount(Api.uniqueId("u"), "short", "B"), 400, "invalid_request", "password");
        assertProblem(
                api.post(
                        api.gateway + "/v1/accounts",
                        null,
                        Api.json("userId", Api.uniqueId("u"), "password", "long-enough-pw")),
                400,
                "invalid_request",
                "displayName");
        assertProblem(api.createAccount(Api.uniqueId("u"), "p".repeat(73), "B"), 400, "invalid_request", "password");
        assertProblem(
                api.createAccount(Api.uniqueId("u"), "\u00e9".repeat(37), "B"), 400, "invalid_request", "72 bytes");
    }

    @Test
    void loginIssuesATokenOfTheUserAndDeviceAndRecordsTheDevice() {
        Api.Session alice = api.newUser("alice");
        Api.Response login = api.login(alice.userId(), "password-" + alice.userId(), "laptop");
        assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
        AccessTokens.Principal principal = TestGateway.bean(AccessTokens.class)
                .verify(login.body().path("token").asString());
        assertThat(principal.userId()).isEqualTo(alice.userId());
        assertThat(principal.deviceId()).isEqualTo("laptop");
        Instant expiresAt = Instant.parse(login.body().path("expiresAt").asString());
        assertThat(expiresAt).isAfter(Instant.now()).isEqualTo(principal.expiresAt());
        assertThat(TestGateway.database()
                        .sql("SELECT device_id FROM devices WHERE user_id = ? ORDER BY device_id")
                        .param(alice.userId())
                        .query(String.class)
                        .list())
                .containsExactly("laptop", "phone");
    }

    @Test
    void wrongCredentialsAreUnauthenticated() {
        Api.Session alice = api.newUser("alice");
        assertProblem(api.login(alice.userId(), "wrong-password", "phone"), 401, "unauthenticated", "password");
        assertProblem(api.login("nobody-" + alice.userId(), "whatever-pw", "phone"), 401, "unauthenticated", "");
        assertProblem(api.login("Not An Id", "whatever-pw", "phone"), 401, "unauthenticated", "");
        assertProblem(
                api.login(alice.userId(), "password-" + alice.userId(), "bad device!"),
                400,
                "invalid_request",
                "deviceId");
    }

    @Test
    void signedOutDeviceIsRefusedAndTheUsersOtherDevicesAreNot() {
        Api.Session phone = api.newUser("alice");
        Api.Session laptop = api.device(phone.userId(), "laptop");
        Api.Response signOut = api.call("DELETE", api.gateway + "/v1/sessions", phone.token(), null, null);
        assertThat(signOut.status()).isEqualTo(204);

        assertProblem(api.send(phone, "c1", "u:" + laptop.userId(), "x"), 401, "unauthenticated", "signed out");
        assertThat(TestGateway.database()
                        .sql("SELECT device_id FROM devices WHERE user_id = ?")
                        .param(phone.userId())
                        .query(String.class)
                        .list())
                .containsExactly("laptop");
        assertThat(api.call("DELETE", api.gateway + "/v1/contacts/nobody", laptop.token(), null, null)
                        .status())
                .as("the laptop is still signed in")
                .isEqualTo(404);
        // a new login of the phone is a new session
        Api.Session again = api.device(phone.userId(), "phone");
        assertThat(api.call("DELETE", api.gateway + "/v1/contacts/nobody", again.token(), null, null)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void missingMalformedExpiredForeignAndUnknownDeviceTokensAreUnauthenticated() {
        Api.Session bob = api.newUser("bob");
        String send = Api.json("clientMsgId", "c1", "to", "u:" + bob.userId(), "kind", "text", "content", "x");
        String url = api.gateway + "/v1/messages";
        Api.Response none = api.post(url, null, send);
        assertProblem(none, 401, "unauthenticated", "Authorization");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertProblem(api.post(url, "not-a-token", send), 401, "unauthenticated", "token");
        assertProblem(
                api.post(api.gateway + "/v1/groups", null, Api.json("name", "x", "members", List.of())),
                401,
                "unauthenticated",
                "");

        String expired = new AccessTokens(AuthProperties.DEVELOPMENT_SECRET, Duration.ofSeconds(-1), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        assertProblem(api.post(url, expired, send), 401, "unauthenticated", "expired");
        String foreign = new AccessTokens(
                        "a-secret-this-deployment-never-used!", Duration.ofHours(1), Clock.systemUTC())
                .issue(bob.userId(), "phone")
                .token();
        assertProblem(api.post(url, foreign, send), 401, "unauthenticated", "signature");
        String unknownDevice = new AccessTokens(
                        AuthProperties.DEVELOPMENT_SECRET, Duration.ofHours(1), Clock.systemUTC())
                .issue(bob.userId(), "never-logged-in")
                .token();
        assertProblem(api.post(url, unknownDevice, send), 401, "unauthenticated", "signed out");
    }
}
