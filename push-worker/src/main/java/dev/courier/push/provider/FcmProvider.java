package dev.courier.push.provider;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Json;
import dev.courier.common.PushTokens;

/**
 * The {@code fcm} provider: Firebase Cloud Messaging's HTTP v1 API ({@code POST
 * <endpoint>/v1/projects/<project>/messages:send}) with an OAuth access token of a service account
 * ({@link FcmAccessTokens}). The message carries {@code seq}, {@code badge}, {@code conversation} and
 * {@code messageId} as data, a notification only with a preview, and the badge for Apple devices. {@code UNREGISTERED}
 * (and 410) means the token is no longer valid, any other 404 is refused and keeps it; 429 and 5xx are retried
 * honouring {@code Retry-After}; a refused access token (401) is renewed and the push retried.
 */
public final class FcmProvider implements PushProvider {

    private final URI sendUri;

    private final FcmAccessTokens tokens;

    private final HttpClient http;

    private final Duration timeout;

    private final Clock clock;

    public FcmProvider(
            URI endpoint, String projectId, FcmAccessTokens tokens, HttpClient http, Duration timeout, Clock clock) {
        String base = endpoint.toString().replaceAll("/+$", "");
        this.sendUri = URI.create(base + "/v1/projects/" + projectId + "/messages:send");
        this.tokens = tokens;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public String name() {
        return PushTokens.FCM;
    }

    /** The request body of a push. */
    static String body(Push push) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("token", push.token());
        ObjectNode data = message.putObject("data");
        data.put("seq", Long.toString(push.seq()));
        data.put("badge", Long.toString(push.badge()));
        data.put("conversation", push.conversation());
        data.put("messageId", push.messageId());
        Push.Preview preview = push.preview();
        if (preview != null) {
            ObjectNode notification = message.putObject("notification");
            notification.put("title", preview.sender());
            if (preview.text() != null) {
                notification.put("body", preview.text());
            }
        }
        message.putObject("android").put("priority", "HIGH");
        message.putObject("apns").putObject("payload").putObject("aps").put("badge", push.badge());
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("message", message);
        return body.toString();
    }

    @Override
    public CompletableFuture<Outcome> send(Push push) {
        String body = body(push);
        return tokens.get()
                .thenCompose(accessToken -> http.sendAsync(
                        HttpRequest.newBuilder(sendUri)
                                .timeout(timeout)
                                .header("Content-Type", "application/json; charset=UTF-8")
                                .header("Authorization", "Bearer " + accessToken)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .handle((response, failure) -> {
                    if (failure != null) {
                        return new Outcome.Retry("FCM unreachable: " + failure, null);
                    }
                    return outcome(response);
                });
    }

    private Outcome outcome(HttpResponse<String> response) {
        if (response.statusCode() == 401) {
            tokens.invalidate();
        }
        return outcome(response.statusCode(), response.body(), response.headers(), clock);
    }

    /**
     * How an answer of FCM is read. The token is gone only when FCM says so of the token: its {@code UNREGISTERED}
     * error code (which it sends with a 404), or 410. Any other 404 (a bare one from a wrong endpoint or a proxy, or
     * Google's generic {@code NOT_FOUND} for a path or project that does not exist) is refused and keeps the token:
     * otherwise a misconfiguration would delete every token it was asked to push to. 401 (the access token, renewed
     * by the caller), 429 and 5xx are retried.
     */
    static Outcome outcome(int status, String body, HttpHeaders headers, Clock clock) {
        if (status >= 200 && status < 300) {
            return new Outcome.Delivered();
        }
        String code = errorCode(body);
        String detail = "FCM answered " + status + (code.isEmpty() ? "" : " " + code);
        if (code.equals("UNREGISTERED") || status == 410) {
            return new Outcome.Unregistered(detail);
        }
        if (status == 401) {
            return new Outcome.Retry(detail, null);
        }
        return RetryAfter.ofStatus(status, detail, headers, clock);
    }

    /** FCM's own error code ({@code details[].errorCode}), else the status name, else empty. */
    private static String errorCode(String body) {
        try {
            JsonNode error = Json.MAPPER.readTree(body).path("error");
            for (JsonNode detail : error.path("details")) {
                String code = detail.path("errorCode").asString("");
                if (!code.isEmpty()) {
                    return code;
                }
            }
            return error.path("status").asString("");
        } catch (RuntimeException e) {
            return "";
        }
    }
}
