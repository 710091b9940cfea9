package dev.courier.testinfra.fuzz;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import static dev.courier.testinfra.fuzz.Hostile.utf8;

/** Bearer tokens that must never let anyone in. */
public final class HostileTokens {

    private HostileTokens() {}

    /** An unsigned token ({@code alg none}) that claims to be the victim's phone, without {@code Bearer}. */
    public static String unsigned(String victim) {
        return b64("{\"alg\":\"none\"}") + "."
                + b64("{\"iss\":\"courier\",\"sub\":\"" + victim + "\",\"did\":\"phone\",\"exp\":9999999999}")
                + ".";
    }

    /**
     * {@code Authorization} header values that must not authenticate anyone (label to value; null: no header): garbage,
     * forgeries, and tokens signed with the services' {@code secret} that name no signed-in device or are expired or
     * malformed inside.
     *
     * @param victim a signed-in user whose device {@code phone} the forgeries name
     */
    public static Map<String, String> authorizations(String victim, String secret) {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("no Authorization", null);
        tokens.put("empty Bearer", "Bearer ");
        tokens.put("Basic credentials", "Basic " + Base64.getEncoder().encodeToString(utf8(victim + ":password")));
        tokens.put("SQL injection", "Bearer ' OR 1=1 --");
        tokens.put("three empty parts", "Bearer ..");
        tokens.put("a.b.c", "Bearer a.b.c");
        tokens.put("6,000 characters", "Bearer " + "A".repeat(6000));
        tokens.put("unsigned, alg none", "Bearer " + unsigned(victim));
        tokens.put(
                "signed, SQL injection subject",
                "Bearer " + signed(secret, claims("' OR 1=1 --", "phone").build()));
        tokens.put(
                "signed, unknown user",
                "Bearer " + signed(secret, claims("nobody-" + victim, "phone").build()));
        tokens.put(
                "signed, a device never logged in",
                "Bearer " + signed(secret, claims(victim, "ghost").build()));
        tokens.put(
                "signed, expiry as text",
                "Bearer "
                        + signed(
                                secret,
                                claims(victim, "phone").claim("exp", "never").build()));
        tokens.put(
                "signed, device id as an object",
                "Bearer "
                        + signed(
                                secret,
                                claims(victim, "phone")
                                        .claim("did", Map.of("$ne", ""))
                                        .build()));
        tokens.put(
                "signed, expired",
                "Bearer "
                        + signed(
                                secret,
                                claims(victim, "phone")
                                        .expirationTime(Date.from(Instant.now().minusSeconds(60)))
                                        .build()));
        tokens.put(
                "signed with another secret",
                "Bearer "
                        + signed(
                                "another-secret-that-is-long-enough-32b",
                                claims(victim, "phone").build()));
        return tokens;
    }

    private static JWTClaimsSet.Builder claims(String subject, String deviceId) {
        return new JWTClaimsSet.Builder()
                .issuer("courier")
                .subject(subject)
                .claim("did", deviceId)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
    }

    private static String signed(String secret, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(utf8(secret)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(json));
    }
}
