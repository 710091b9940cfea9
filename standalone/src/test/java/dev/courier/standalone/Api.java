package dev.courier.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Json;

import static org.assertj.core.api.Assertions.assertThat;

/** A small client of Courier's public HTTP API, as an app would use it. */
final class Api {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String gateway;

    final String sync;

    Api(String gateway, String sync) {
        this.gateway = gateway;
        this.sync = sync;
    }

    /** A user id that no other test uses. */
    static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    record Response(int status, JsonNode body, HttpResponse<String> raw) {

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String code() {
            return body.path("code").asString(null);
        }
    }

    /** A logged-in device of a user. */
    record Session(String userId, String deviceId, String token) {}

    Response post(String url, String token, String json) {
        return call("POST", url, token, json, "application/json");
    }

    Response call(String method, String url, String token, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = Json.MAPPER.missingNode();
            if (!response.body().isEmpty()
                    && response.headers().firstValue("Content-Type").orElse("").contains("json")) {
                json = Json.MAPPER.readTree(response.body());
            }
            return new Response(response.statusCode(), json, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String json(Object... keysAndValues) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], Json.MAPPER.valueToTree(keysAndValues[i + 1]));
        }
        return node.toString();
    }

    Response createAccount(String userId, String password, String displayName) {
        return post(
                gateway + "/v1/accounts",
                null,
                json("userId", userId, "password", password, "displayName", displayName));
    }

    Response login(String userId, String password, String deviceId) {
        return post(gateway + "/v1/sessions", null, json("userId", userId, "password", password, "deviceId", deviceId));
    }

    /** Creates a fresh user and logs in one device. */
    Session newUser(String prefix) {
        String userId = uniqueId(prefix);
        Response created = createAccount(userId, "password-" + userId, prefix.toUpperCase());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return device(userId, "phone");
    }

    Session device(String userId, String deviceId) {
        Response login = login(userId, "password-" + userId, deviceId);
        assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
        return new Session(userId, deviceId, login.body().path("token").asString());
    }

    Response createGroup(Session owner, String groupId, String name, List<String> members) {
        return post(
                gateway + "/v1/groups",
                owner.token(),
                groupId == null
                        ? json("name", name, "members", members)
                        : json("groupId", groupId, "name", name, "members", members));
    }

    Response addMembers(Session owner, String groupId, List<String> userIds) {
        return post(gateway + "/v1/groups/" + groupId + "/members", owner.token(), json("userIds", userIds));
    }

    Response removeMember(Session caller, String groupId, String userId) {
        return call("DELETE", gateway + "/v1/groups/" + groupId + "/members/" + userId, caller.token(), null, null);
    }

    Response send(Session from, String clientMsgId, String to, String text) {
        return post(
                gateway + "/v1/messages",
                from.token(),
                json("clientMsgId", clientMsgId, "to", to, "kind", "text", "content", text));
    }

    /** Sends and expects acceptance; returns the message id. */
    String sendOk(Session from, String to, String text) {
        Response response = send(from, uniqueId("c"), to, text);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        return response.body().path("messageId").asString();
    }

    Response get(String url, Session session) {
        return call("GET", url, session.token(), null, null);
    }

    Response conversations(Session session, String query) {
        return get(gateway + "/v1/conversations" + (query == null ? "" : "?" + query), session);
    }

    Response conversation(Session session, String conversation) {
        return get(gateway + "/v1/conversations/" + conversation, session);
    }

    Response read(Session session, String conversation, long convSeq) {
        return post(
                gateway + "/v1/conversations/" + conversation + "/read",
                session.token(),
                "{\"convSeq\":" + convSeq + "}");
    }

    Response mute(Session session, String conversation, boolean muted) {
        return call(
                "PATCH",
                gateway + "/v1/conversations/" + conversation,
                session.token(),
                "{\"muted\":" + muted + "}",
                "application/json");
    }

    Response history(Session session, String conversation, String query) {
        return get(
                gateway + "/v1/conversations/" + conversation + "/messages" + (query == null ? "" : "?" + query),
                session);
    }

    Response receipts(Session session, String messageId) {
        return get(gateway + "/v1/messages/" + messageId + "/receipts", session);
    }

    Response reply(Session from, String to, String text, String replyTo) {
        return post(
                gateway + "/v1/messages",
                from.token(),
                json("clientMsgId", uniqueId("c"), "to", to, "kind", "text", "content", text, "replyTo", replyTo));
    }

    Response recall(Session session, String messageId) {
        return post(gateway + "/v1/messages/" + messageId + "/recall", session.token(), null);
    }

    Response edit(Session session, String messageId, String text) {
        return call(
                "PATCH",
                gateway + "/v1/messages/" + messageId,
                session.token(),
                json("content", text),
                "application/json");
    }

    Response deleteForMe(Session session, String messageId) {
        return call("DELETE", gateway + "/v1/messages/" + messageId, session.token(), null, null);
    }

    Response react(Session session, String messageId, String emoji, boolean add) {
        return call(
                add ? "PUT" : "DELETE",
                gateway + "/v1/messages/" + messageId + "/reactions/"
                        + URLEncoder.encode(emoji, StandardCharsets.UTF_8).replace("+", "%20"),
                session.token(),
                null,
                null);
    }

    Response sync(Session session, String syncKey, Integer limit) {
        return sync(session, syncKey, limit, null);
    }

    Response sync(Session session, String syncKey, Integer limit, Long waitMs) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (syncKey != null) {
            body.put("syncKey", syncKey);
        }
        if (limit != null) {
            body.put("limit", limit);
        }
        return post(sync + "/v1/sync" + (waitMs != null ? "?waitMs=" + waitMs : ""), session.token(), body.toString());
    }

    /** A device that keeps its sync key and everything it received, like a client would. */
    final class Device {

        final Session session;

        String syncKey;

        final List<JsonNode> messages = new ArrayList<>();

        Device(Session session) {
            this.session = session;
        }

        /** Syncs until {@code hasMore} is false; returns what arrived. */
        List<JsonNode> syncAll() {
            List<JsonNode> arrived = new ArrayList<>();
            boolean more = true;
            while (more) {
                Response response = sync(session, syncKey, null);
                assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
                response.body().path("messages").forEach(arrived::add);
                syncKey = response.body().path("syncKey").asString();
                more = response.body().path("hasMore").asBoolean();
            }
            messages.addAll(arrived);
            return arrived;
        }

        List<String> messageIds() {
            return messages.stream().map(m -> m.path("messageId").asString()).toList();
        }
    }

    Device deviceOf(Session session) {
        return new Device(session);
    }

    static Map<String, Object> media(String url, String mime, long size) {
        return Map.of("url", url, "mime", mime, "size", size);
    }
}
