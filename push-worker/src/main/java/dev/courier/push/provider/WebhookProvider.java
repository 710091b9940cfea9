package dev.courier.push.provider;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Json;
import dev.courier.common.PushTokens;

/**
 * The {@code webhook} provider (PROTOCOL.md, "Pushes to offline devices"): {@code POST} to the configured URL with the
 * JSON body {@code {"userId", "deviceId", "token", "seq", "badge", "conversation", "messageId"}}, exactly these fields
 * in this order, and {@code Courier-Signature: sha256=<lower-case hex HMAC-SHA256 of the body's bytes>} keyed with the
 * configured secret. 2xx is delivered, 410 an invalid token, 429 and 5xx (and no answer within the timeout) are
 * retried, honouring {@code Retry-After}; any other answer is a refusal.
 */
public final class WebhookProvider implements PushProvider {

    public static final String SIGNATURE_HEADER = "Courier-Signature";

    private final URI url;

    private final byte[] secret;

    private final Duration timeout;

    private final HttpClient http;

    private final Clock clock;

    public WebhookProvider(URI url, String secret, Duration timeout, HttpClient http, Clock clock) {
        this.url = url;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.timeout = timeout;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public String name() {
        return PushTokens.WEBHOOK;
    }

    /** The body of a push, in the contract's field order. */
    public static byte[] body(Push push) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("userId", push.userId());
        body.put("deviceId", push.deviceId());
        body.put("token", push.token());
        body.put("seq", push.seq());
        body.put("badge", push.badge());
        body.put("conversation", push.conversation());
        body.put("messageId", push.messageId());
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code sha256=<lower-case hex HMAC-SHA256 of body keyed with secret>}. */
    public static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    @Override
    public CompletableFuture<Outcome> send(Push push) {
        byte[] body = body(push);
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, signature(secret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, failure) -> {
                        if (failure != null) {
                            return (Outcome) new Outcome.Retry("webhook unreachable: " + failure, null);
                        }
                        int status = response.statusCode();
                        if (status >= 200 && status < 300) {
                            return new Outcome.Delivered();
                        }
                        if (status == 410) {
                            return new Outcome.Unregistered("webhook answered 410");
                        }
                        return RetryAfter.ofStatus(status, "webhook answered " + status, response.headers(), clock);
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Outcome.Retry("webhook unreachable: " + e, null));
        }
    }
}
