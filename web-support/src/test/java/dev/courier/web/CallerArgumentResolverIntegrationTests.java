package dev.courier.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.AccessTokens;
import dev.courier.common.ErrorCode;

import static dev.courier.web.TestWeb.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CallerArgumentResolver} on a real server: a controller parameter of type {@link Caller} takes the user and
 * device of a valid bearer token of a signed-in device; anything else is {@code 401 unauthenticated} with
 * {@code WWW-Authenticate: Bearer}.
 */
class CallerArgumentResolverIntegrationTests {

    private static AuthProperties auth;

    @BeforeAll
    static void start() {
        auth = TestWeb.context().getBean(AuthProperties.class);
    }

    private static TestWeb.Answer me(String... headers) {
        return TestWeb.request("GET", "/v1/me", null, (String) null, headers);
    }

    private static void assertUnauthenticated(TestWeb.Answer answer, String detailStart) {
        assertProblem(answer, 401, ErrorCode.UNAUTHENTICATED, detailStart);
        assertThat(answer.header("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void resolvesTheCallerOfAValidTokenOfASignedInDevice() {
        String userId = TestWeb.uniqueId("u");
        String token = TestWeb.signedIn(userId, "phone");

        TestWeb.Answer answer = me("Authorization: Bearer " + token);

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.json().path("userId").asString()).isEqualTo(userId);
        assertThat(answer.json().path("deviceId").asString()).isEqualTo("phone");
        // the scheme is case-insensitive
        assertThat(me("Authorization: bearer " + token).status()).isEqualTo(200);
        assertThat(me("Authorization: BEARER " + token).status()).isEqualTo(200);
    }

    @Test
    void refusesARequestWithoutAToken() {
        assertUnauthenticated(me(), "missing Authorization: Bearer <token>");
        assertUnauthenticated(me("Authorization: "), "missing Authorization: Bearer <token>");
    }

    @Test
    void refusesAnotherSchemeThanBearer() {
        assertUnauthenticated(
                me("Authorization: Basic YWxpY2U6c2VjcmV0"), "the Authorization header must be Bearer <token>");
        assertUnauthenticated(me("Authorization: Bearer"), "the Authorization header must be Bearer <token>");
        assertUnauthenticated(
                me("Authorization: " + TestWeb.token("u", "phone")), "the Authorization header must be Bearer <token>");
    }

    @Test
    void refusesAMalformedToken() {
        for (String token : new String[] {"junk", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA", "' OR 1=1 --"}) {
            assertUnauthenticated(me("Authorization: Bearer " + token), "the token ");
        }
    }

    @Test
    void refusesAnExpiredToken() {
        String userId = TestWeb.uniqueId("u");
        TestWeb.signedIn(userId, "phone");
        Clock past = Clock.fixed(Instant.now().minus(auth.tokenTtl()).minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = new AccessTokens(auth.tokenSecret(), auth.tokenTtl(), past)
                .issue(userId, "phone")
                .token();

        assertUnauthenticated(me("Authorization: Bearer " + expired), "the token has expired");
    }

    @Test
    void refusesATamperedToken() {
        String userId = TestWeb.uniqueId("u");
        String token = TestWeb.signedIn(userId, "phone");
        String[] parts = token.split("\\.");
        // another user's claims under this token's signature
        String[] other = TestWeb.token(TestWeb.uniqueId("u"), "phone").split("\\.");
        String swapped = parts[0] + "." + other[1] + "." + parts[2];
        char last = parts[2].charAt(parts[2].length() - 2);
        String resigned = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1);

        assertUnauthenticated(me("Authorization: Bearer " + swapped), "the token signature is not valid");
        assertUnauthenticated(me("Authorization: Bearer " + resigned), "the token ");
    }

    @Test
    void refusesATokenSignedWithAnotherSecret() {
        String userId = TestWeb.uniqueId("u");
        TestWeb.signedIn(userId, "phone");
        String forged = new AccessTokens("another-secret-of-at-least-32-bytes!", auth.tokenTtl(), Clock.systemUTC())
                .issue(userId, "phone")
                .token();

        assertUnauthenticated(me("Authorization: Bearer " + forged), "the token signature is not valid");
    }

    @Test
    void refusesTheTokenOfASignedOutDevice() {
        String userId = TestWeb.uniqueId("u");
        TestWeb.signedIn(userId, "phone");

        assertUnauthenticated(
                me("Authorization: Bearer " + TestWeb.token(userId, "tablet")), "the device 'tablet' is signed out");
    }
}
