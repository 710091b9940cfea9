package dev.courier.common;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Issues and verifies the bearer tokens of PROTOCOL.md ("Authentication"): HS256-signed JWTs that name one user
 * ({@code sub}) and one device ({@code did}) and expire. Every service that shares the secret accepts the tokens of the
 * others. Thread-safe.
 */
public final class AccessTokens {

    private static final String ISSUER = "courier";

    private final MACSigner signer;

    private final MACVerifier verifier;

    private final Duration ttl;

    private final Clock clock;

    /** Tokens verified before, by their text: a client presents the same token on every request until it expires. */
    private final Map<String, Principal> verified = new ConcurrentHashMap<>();

    private static final int VERIFIED_LIMIT = 100_000;

    public AccessTokens(String secret, Duration ttl, Clock clock) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalArgumentException("the token secret must have at least 32 bytes");
        }
        try {
            this.signer = new MACSigner(bytes);
            this.verifier = new MACVerifier(bytes);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable token secret: " + e.getMessage(), e);
        }
        this.ttl = ttl;
        this.clock = clock;
    }

    public Issued issue(String userId, String deviceId) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(ttl);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(userId)
                .claim("did", deviceId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return new Issued(jwt.serialize(), expiresAt.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * @throws InvalidTokenException when the token is malformed, altered, signed with another key, or expired
     */
    public Principal verify(String token) {
        // the same text always verifies the same way (its signature is over its text); only its expiry moves on
        Principal known = verified.get(token);
        if (known != null) {
            if (known.expiresAt().isAfter(clock.instant())) {
                return known;
            }
            verified.remove(token);
            throw new InvalidTokenException("the token has expired");
        }
        Principal principal = parseAndCheck(token);
        if (verified.size() >= VERIFIED_LIMIT) {
            verified.clear();
        }
        verified.put(token, principal);
        return principal;
    }

    private Principal parseAndCheck(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                throw new InvalidTokenException("the token signature is not valid");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (expires == null || !expires.toInstant().isAfter(clock.instant())) {
                throw new InvalidTokenException("the token has expired");
            }
            String user = claims.getSubject();
            Object device = claims.getClaim("did");
            if (!ISSUER.equals(claims.getIssuer())
                    || user == null
                    || !(device instanceof String deviceId)
                    || !Ids.isUserId(user)
                    || !Ids.isDeviceId(deviceId)) {
                throw new InvalidTokenException("the token does not name a user and a device");
            }
            return new Principal(user, deviceId, expires.toInstant());
        } catch (ParseException | JOSEException | IllegalStateException e) {
            throw new InvalidTokenException("the token is malformed");
        }
    }

    /** A freshly issued token. */
    public record Issued(String token, Instant expiresAt) {}

    /** Who a valid token speaks for, until when. */
    public record Principal(String userId, String deviceId, Instant expiresAt) {}

    /** Answered as {@code 401 unauthenticated}. */
    public static final class InvalidTokenException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /** Never null: every constructor sets the message. */
        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

        public InvalidTokenException(String reason) {
            super(reason);
        }
    }
}
