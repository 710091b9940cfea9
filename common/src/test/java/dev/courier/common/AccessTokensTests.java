package dev.courier.common;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessTokensTests {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    private final AccessTokens tokens = new AccessTokens(SECRET, Duration.ofHours(1), clock);

    @Test
    void verifiesWhatItIssued() {
        AccessTokens.Issued issued = tokens.issue("bob", "phone-1");
        assertThat(issued.expiresAt()).isEqualTo(Instant.parse("2026-11-21T11:00:00Z"));
        assertThat(tokens.verify(issued.token()))
                .isEqualTo(new AccessTokens.Principal("bob", "phone-1", Instant.parse("2026-11-21T11:00:00Z")));
    }

    @Test
    void rejectsExpiredToken() {
        String token = tokens.issue("bob", "phone-1").token();
        AccessTokens later = new AccessTokens(SECRET, Duration.ofHours(1), Clock.offset(clock, Duration.ofHours(2)));
        assertThatThrownBy(() -> later.verify(token))
                .isInstanceOf(AccessTokens.InvalidTokenException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void aTokenVerifiedBeforeStillExpires() {
        java.util.concurrent.atomic.AtomicReference<Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(clock.instant());
        Clock moving = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        AccessTokens remembering = new AccessTokens(SECRET, Duration.ofHours(1), moving);
        String token = remembering.issue("bob", "phone-1").token();
        assertThat(remembering.verify(token).userId()).isEqualTo("bob");
        assertThat(remembering.verify(token).userId())
                .as("verified again, from memory")
                .isEqualTo("bob");
        now.set(now.get().plus(Duration.ofMinutes(61)));
        assertThatThrownBy(() -> remembering.verify(token))
                .isInstanceOf(AccessTokens.InvalidTokenException.class)
                .hasMessageContaining("expired");
        assertThatThrownBy(() -> remembering.verify(token)).hasMessageContaining("expired");
    }

    @Test
    void rejectsTokenSignedWithAnotherSecret() {
        String token = new AccessTokens("another-secret-another-secret-xx", Duration.ofHours(1), clock)
                .issue("bob", "phone-1")
                .token();
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(AccessTokens.InvalidTokenException.class);
    }

    @Test
    void rejectsTamperedAndMalformedTokens() {
        String token = tokens.issue("bob", "phone-1").token();
        String[] parts = token.split("\\.");
        String otherClaims = tokens.issue("alice", "phone-1").token().split("\\.")[1];
        for (String bad : new String[] {
            parts[0] + "." + otherClaims + "." + parts[2], "abc", "", "a.b.c", token.substring(0, token.length() - 2)
        }) {
            assertThatThrownBy(() -> tokens.verify(bad)).isInstanceOf(AccessTokens.InvalidTokenException.class);
        }
    }

    @Test
    void refusesShortSecret() {
        assertThatThrownBy(() -> new AccessTokens("short", Duration.ofHours(1), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
