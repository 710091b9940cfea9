package dev.courier.testinfra.client;

import java.io.ByteArrayInputStream;
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
public final class Api {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final String gateway;

    public final String sync;

    public Api(String gateway, String sync) {
        this.gateway = gateway;
        this.sync = sync;
    }

    /** A user id that no other test uses. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    public record Response(int status, JsonNode body, HttpResponse<String> raw) {

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String code() {
            return body.path("code").asString(null);
        }
    }

    /** A logged-in device of a user. */
    public record Session(String userId, String deviceId, String token) {}

    public Response post(String url, String token, String json) {
        return call("POST", url, token, json, "application/json");
    }

    public Response call(String method, String url, String token, String body, String contentType) {
        return exchange(
                method,
                url,
                token,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
                contentType);
    }

    /** A JSON body sent in chunks, without {@code Content-Length}. */
    public Response postChunked(String url, String token, String json) {
        return exchange(
                "POST",
                url,
                token,
                HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))),
                "application/json");
    }

    private Response exchange(
            String method, String url, String token, HttpRequest.BodyPublisher body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body);
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

    public static String json(Object... keysAndValues) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], Json.MAPPER.valueToTree(keysAndValues[i + 1]));
        }
        return node.toString();
    }

    public Response createAccount(String userId, String password, String displayName) {
        return post(
                gateway + "/v1/accounts",
                null,
                json("userId", userId, "password", password, "displayName", displayName));
    }

    public Response login(String userId, String password, String deviceId) {
        return post(gateway + "/v1/sessions", null, json("userId", userId, "password", password, "deviceId", deviceId));
    }

    /** Creates a fresh user and logs in one device. */
    public Session newUser(String prefix) {
        String userId = uniqueId(prefix);
        Response created = createAccount(userId, "password-" + userId, prefix.toUpperCase());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return device(userId, "phone");
    }

    public Session device(String userId, String deviceId) {
        Response login = login(userId, "password-" + userId, deviceId);
        assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
        return new Session(userId, deviceId, login.body().path("token").asString());
    }

    public Response createGroup(Session owner, String groupId, String name, List<String> members) {
        return post(
                gateway + "/v1/groups",
                owner.token(),
                groupId == null
                        ? json("name", name, "members", members)
                        : json("groupId", groupId, "name", name, "members", members));
    }

    public Response addMembers(Session owner, String groupId, List<String> userIds) {
        return post(gateway + "/v1/groups/" + groupId + "/members", owner.token(), json("userIds", userIds));
    }

    public Response removeMember(Session caller, String groupId, String userId) {
        return call("DELETE", gateway + "/v1/groups/" + groupId + "/members/" + userId, caller.token(), null, null);
    }

    /** {@code GET /v1/groups}. */
    public Response groups(Session caller) {
        return get(gateway + "/v1/groups", caller);
    }

    /** {@code GET /v1/groups/{groupId}}. */
    public Response group(Session caller, String groupId) {
        return get(gateway + "/v1/groups/" + groupId, caller);
    }

    /** {@code PATCH /v1/groups/{groupId}} with {@code name}, {@code announcement}, {@code muted} ({@link #json}). */
    public Response updateGroup(Session caller, String groupId, String body) {
        return call("PATCH", gateway + "/v1/groups/" + groupId, caller.token(), body, "application/json");
    }

    /** {@code PUT} ({@code admin}) or {@code DELETE /v1/groups/{groupId}/admins/{userId}}. */
    public Response setAdmin(Session caller, String groupId, String userId, boolean admin) {
        return call(
                admin ? "PUT" : "DELETE",
                gateway + "/v1/groups/" + groupId + "/admins/" + userId,
                caller.token(),
                null,
                null);
    }

    /** {@code POST /v1/groups/{groupId}/owner}. */
    public Response transfer(Session caller, String groupId, String userId) {
        return post(gateway + "/v1/groups/" + groupId + "/owner", caller.token(), json("userId", userId));
    }

    /** {@code PUT /v1/groups/{groupId}/mutes/{userId}}, with {@code {"until"}} or ({@code null}) no body. */
    public Response muteMember(Session caller, String groupId, String userId, String until) {
        String url = gateway + "/v1/groups/" + groupId + "/mutes/" + userId;
        return until == null
                ? call("PUT", url, caller.token(), null, null)
                : call("PUT", url, caller.token(), json("until", until), "application/json");
    }

    /** {@code DELETE /v1/groups/{groupId}/mutes/{userId}}. */
    public Response unmuteMember(Session caller, String groupId, String userId) {
        return call("DELETE", gateway + "/v1/groups/" + groupId + "/mutes/" + userId, caller.token(), null, null);
    }

    /** {@code DELETE /v1/groups/{groupId}}. */
    public Response dissolve(Session caller, String groupId) {
        return call("DELETE", gateway + "/v1/groups/" + groupId, caller.token(), null, null);
    }

    /** {@code PUT} ({@code blocked}) or {@code DELETE /v1/blocks/{userId}}. */
    public Response block(Session caller, String userId, boolean blocked) {
        return call(blocked ? "PUT" : "DELETE", gateway + "/v1/blocks/" + userId, caller.token(), null, null);
    }

    /** {@code GET /v1/blocks}. */
    public Response blocks(Session caller) {
        return get(gateway + "/v1/blocks", caller);
    }

    public Response send(Session from, String clientMsgId, String to, String text) {
        return send(from, clientMsgId, to, "text", text);
    }

    /** A send of any kind; {@code content} is a string or a media reference ({@link #media}). */
    public Response send(Session from, String clientMsgId, String to, String kind, Object content) {
        return post(
                gateway + "/v1/messages",
                from.token(),
                json("clientMsgId", clientMsgId, "to", to, "kind", kind, "content", content));
    }

    /** A {@code send} frame of {@code /v1/ws} with a text. */
    public static String sendFrame(String clientMsgId, String to, String text) {
        return json("type", "send", "clientMsgId", clientMsgId, "to", to, "kind", "text", "content", text);
    }

    /** {@code PATCH /v1/account}. */
    public Response rename(Session session, String displayName) {
        return call(
                "PATCH",
                gateway + "/v1/account",
                session.token(),
                json("displayName", displayName),
                "application/json");
    }

    /** {@code PUT /v1/contacts/{contactId}}. */
    public Response putContact(Session owner, String contactId, String alias) {
        return call(
                "PUT", gateway + "/v1/contacts/" + contactId, owner.token(), json("alias", alias), "application/json");
    }

    /** {@code DELETE /v1/contacts/{contactId}}. */
    public Response deleteContact(Session owner, String contactId) {
        return call("DELETE", gateway + "/v1/contacts/" + contactId, owner.token(), null, null);
    }

    /** Sends and expects acceptance; returns the message id. */
    public String sendOk(Session from, String to, String text) {
        Response response = send(from, uniqueId("c"), to, text);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        return response.body().path("messageId").asString();
    }

    public Response get(String url, Session session) {
        return call("GET", url, session.token(), null, null);
    }

    public Response conversations(Session session, String query) {
        return get(gateway + "/v1/conversations" + (query == null ? "" : "?" + query), session);
    }

    public Response conversation(Session session, String conversation) {
        return get(gateway + "/v1/conversations/" + conversation, session);
    }

    public Response read(Session session, String conversation, long convSeq) {
        return post(
                gateway + "/v1/conversations/" + conversation + "/read",
                session.token(),
                "{\"convSeq\":" + convSeq + "}");
    }

    public Response mute(Session session, String conversation, boolean muted) {
        return call(
                "PATCH",
                gateway + "/v1/conversations/" + conversation,
                session.token(),
                "{\"muted\":" + muted + "}",
                "application/json");
    }

    public Response history(Session session, String conversation, String query) {
        return get(
                gateway + "/v1/conversations/" + conversation + "/messages" + (query == null ? "" : "?" + query),
                session);
    }

    public Response receipts(Session session, String messageId) {
        return get(gateway + "/v1/messages/" + messageId + "/receipts", session);
    }

    public Response reply(Session from, String to, String text, String replyTo) {
        return post(
                gateway + "/v1/messages",
                from.token(),
                json("clientMsgId", uniqueId("c"), "to", to, "kind", "text", "content", text, "replyTo", replyTo));
    }

    public Response recall(Session session, String messageId) {
        return post(gateway + "/v1/messages/" + messageId + "/recall", session.token(), null);
    }

    public Response edit(Session session, String messageId, String text) {
        return call(
                "PATCH",
                gateway + "/v1/messages/" + messageId,
                session.token(),
                json("content", text),
                "application/json");
    }

    public Response deleteForMe(Session session, String messageId) {
        return call("DELETE", gateway + "/v1/messages/" + messageId, session.token(), null, null);
    }

    public Response react(Session session, String messageId, String emoji, boolean add) {
        return call(
                add ? "PUT" : "DELETE",
                gateway + "/v1/messages/" + messageId + "/reactions/"
                        + URLEncoder.encode(emoji, StandardCharsets.UTF_8).replace("+", "%20"),
                session.token(),
                null,
                null);
    }

    /** {@code PUT /v1/devices/current/push}. */
    public Response setPushToken(Session session, String provider, String token) {
        return call(
                "PUT",
                gateway + "/v1/devices/current/push",
                session.token(),
                json("provider", provider, "token", token),
                "application/json");
    }

    /** {@code DELETE /v1/devices/current/push}. */
    public Response clearPushToken(Session session) {
        return call("DELETE", gateway + "/v1/devices/current/push", session.token(), null, null);
    }

    /** {@code DELETE /v1/sessions}: signs the device out. */
    public Response signOut(Session session) {
        return call("DELETE", gateway + "/v1/sessions", session.token(), null, null);
    }

    public Response sync(Session session, String syncKey, Integer limit) {
        return sync(session, syncKey, limit, null);
    }

    public Response sync(Session session, String syncKey, Integer limit, Long waitMs) {
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
    public final class Device {

        public final Session session;

        public String syncKey;

        /** The messages people sent, in sync order (a group's system messages are in {@link #all} only). */
        public final List<JsonNode> messages = new ArrayList<>();

        /** Everything the syncs brought, system messages and lifecycle entries included, in sync order. */
        public final List<JsonNode> all = new ArrayList<>();

        public Device(Session session) {
            this.session = session;
        }

        /** Syncs until {@code hasMore} is false; returns the messages people sent that arrived. */
        public List<JsonNode> syncAll() {
            List<JsonNode> arrived = new ArrayList<>();
            boolean more = true;
            while (more) {
                Response response = sync(session, syncKey, null);
                assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
                response.body().path("messages").forEach(arrived::add);
                syncKey = response.body().path("syncKey").asString();
                more = response.body().path("hasMore").asBoolean();
            }
            all.addAll(arrived);
            arrived.removeIf(m -> m.path("kind").asString().equals("system"));
            messages.addAll(arrived);
            return arrived;
        }

        public List<String> messageIds() {
            return messages.stream().map(m -> m.path("messageId").asString()).toList();
        }
    }

    public Device deviceOf(Session session) {
        return new Device(session);
    }

    public static Map<String, Object> media(String url, String mime, long size) {
        return Map.of("url", url, "mime", mime, "size", size);
    }
}
