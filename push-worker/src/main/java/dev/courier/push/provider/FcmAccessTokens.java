package dev.courier.push.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.CompletableFuture;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;

/**
 * OAuth 2 access tokens for FCM from a Google service account: a JWT grant (RFC 7523) signed with the account's RSA
 * key, exchanged at the account's token URI for an access token of the {@code firebase.messaging} scope, kept until a
 * minute before it expires and then renewed. At most one exchange is under way at a time.
 */
public final class FcmAccessTokens {

    public static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

    private static final Duration GRANT_LIFETIME = Duration.ofHours(1);

    private static final Duration RENEW_BEFORE = Duration.ofMinutes(1);

    private final ServiceAccount account;

    private final URI tokenUri;

    private final HttpClient http;

    private final Duration timeout;

    private final Clock clock;

    private @Nullable CompletableFuture<Token> current;

    /**
     * A service account, as in the JSON key file Google issues.
     *
     * @param tokenUri the account's {@code token_uri}
     */
    public record ServiceAccount(
            String projectId, String clientEmail, String privateKeyId, RSAPrivateKey privateKey, String tokenUri) {

        /** Reads the JSON key file's text. */
        public static ServiceAccount parse(String json) {
            JsonNode node = Json.MAPPER.readTree(json);
            String pem = text(node, "private_key");
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            try {
                RSAPrivateKey key = (RSAPrivateKey) KeyFactory.getInstance("RSA")
                        .generatePrivate(
                                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
                return new ServiceAccount(
                        text(node, "project_id"),
                        text(node, "client_email"),
                        node.path("private_key_id").asString(""),
                        key,
                        node.path("token_uri").asString("https://oauth2.googleapis.com/token"));
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException("the service account's private_key is not a PKCS#8 RSA key", e);
            }
        }

        private static String text(JsonNode node, String field) {
            String value = node.path(field).asString("");
            if (value.isEmpty()) {
                throw new IllegalArgumentException("the service account has no " + field);
            }
            return value;
        }
    }

    private record Token(String value, Instant renewAt) {}

    /** @param tokenUri where grants are exchanged (the account's own unless configured otherwise) */
    public FcmAccessTokens(ServiceAccount account, URI tokenUri, HttpClient http, Duration timeout, Clock clock) {
        this.account = account;
        this.tokenUri = tokenUri;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** A valid access token; fails when the token URI refused the grant or could not be reached. */
    public synchronized CompletableFuture<String> get() {
        CompletableFuture<Token> token = current;
        if (token != null && token.isDone() && !token.isCompletedExceptionally()) {
            Token done = token.join();
            if (clock.instant().isBefore(done.renewAt())) {
                return CompletableFuture.completedFuture(done.value());
            }
        }
        if (token == null || token.isDone()) {
            token = exchange();
            current = token;
        }
        return token.thenApply(Token::value);
    }

    /** Forgets the token (FCM refused it): the next {@link #get()} exchanges a new grant. */
    public synchronized void invalidate() {
        current = null;
    }

    /** The signed grant: the assertion of the exchange. */
    String grant(Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(account.clientEmail())
                .audience(tokenUri.toString())
                .claim("scope", SCOPE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(GRANT_LIFETIME)))
                .build();
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT);
        if (!account.privateKeyId().isEmpty()) {
            header.keyID(account.privateKeyId());
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        try {
            jwt.sign(new RSASSASigner(account.privateKey()));
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign the FCM grant", e);
        }
        return jwt.serialize();
    }

    private CompletableFuture<Token> exchange() {
        Instant now = clock.instant();
        String form =
                "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                        + "&assertion=" + URLEncoder.encode(grant(now), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(tokenUri)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the token URI answered " + response.statusCode());
            }
            JsonNode body = Json.MAPPER.readTree(response.body());
            String value = body.path("access_token").asString("");
            if (value.isEmpty()) {
                throw new IllegalStateException("the token URI's answer has no access_token");
            }
            long expiresIn = body.path("expires_in").asLong(3600);
            return new Token(value, now.plusSeconds(expiresIn).minus(RENEW_BEFORE));
        });
    }
}
