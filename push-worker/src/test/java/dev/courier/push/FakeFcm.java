package dev.courier.push;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Json;
import dev.courier.push.provider.FcmAccessTokens;

/**
 * FCM's HTTP v1 API and Google's token endpoint on a free local port: the token endpoint verifies the service
 * account's signed grant (signature, issuer, audience, scope) and issues access tokens; the send endpoint accepts a
 * message only with an issued bearer token and a body of the v1 shape, records it, and answers {@code UNREGISTERED}
 * for the tokens the test names.
 */
final class FakeFcm implements AutoCloseable {

    static final String PROJECT = "courier-test";

    static final String CLIENT_EMAIL = "push@courier-test.iam.gserviceaccount.com";

    /** A message it accepted. */
    record Message(String token, JsonNode message) {}

    private final HttpServer server;

    private final KeyPair account;

    private final Set<String> issued = ConcurrentHashMap.newKeySet();

    private final Set<String> unregistered = ConcurrentHashMap.newKeySet();

    private final List<Message> messages = new CopyOnWriteArrayList<>();

    private final List<String> refusals = new CopyOnWriteArrayList<>();

    private final AtomicInteger grants = new AtomicInteger();

    FakeFcm() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        account = generator.generateKeyPair();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/token", this::token);
        server.createContext("/v1/projects/" + PROJECT + "/messages:send", this::send);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String tokenUri() {
        return endpoint() + "/token";
    }

    /** The JSON key file of the service account, as Google issues it. */
    String serviceAccountJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("type", "service_account");
        json.put("project_id", PROJECT);
        json.put("private_key_id", "key-1");
        json.put(
                "private_key",
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(account.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        json.put("client_email", CLIENT_EMAIL);
        json.put("token_uri", tokenUri());
        return json.toString();
    }

    void unregister(String token) {
        unregistered.add(token);
    }

    List<Message> messages(String token) {
        return messages.stream().filter(m -> m.token().equals(token)).toList();
    }

    /** Why requests were refused (a bad grant, a missing bearer token, a body of another shape). */
    List<String> refusals() {
        return List.copyOf(refusals);
    }

    int grants() {
        return grants.get();
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form = new HashMap<>();
            for (String pair : read(exchange).split("&")) {
                int eq = pair.indexOf('=');
                form.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            String problem = null;
            if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
                problem = "grant_type " + form.get("grant_type");
            } else {
                try {
                    SignedJWT grant = SignedJWT.parse(form.get("assertion"));
                    if (!grant.verify(new RSASSAVerifier((RSAPublicKey) account.getPublic()))) {
                        problem = "the grant's signature";
                    } else if (!CLIENT_EMAIL.equals(grant.getJWTClaimsSet().getIssuer())) {
                        problem = "issuer";
                    } else if (!grant.getJWTClaimsSet().getAudience().contains(tokenUri())) {
                        problem = "audience " + grant.getJWTClaimsSet().getAudience();
                    } else if (!FcmAccessTokens.SCOPE.equals(
                            grant.getJWTClaimsSet().getStringClaim("scope"))) {
                        problem = "scope";
                    }
                } catch (Exception e) {
                    problem = "assertion: " + e;
                }
            }
            if (problem != null) {
                refusals.add("token: " + problem);
                respond(exchange, 400, "{\"error\":\"invalid_grant\"}");
                return;
            }
            String token = "fcm-access-" + grants.incrementAndGet();
            issued.add(token);
            respond(
                    exchange,
                    200,
                    "{\"access_token\":\"" + token + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
        }
    }

    private void send(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            JsonNode body = Json.MAPPER.readTree(read(exchange));
            if (authorization == null
                    || !authorization.startsWith("Bearer ")
                    || !issued.contains(authorization.substring(7))) {
                refusals.add("send: bearer " + authorization);
                respond(exchange, 401, "{\"error\":{\"code\":401,\"status\":\"UNAUTHENTICATED\"}}");
                return;
            }
            JsonNode message = body.path("message");
            JsonNode data = message.path("data");
            String token = message.path("token").asString("");
            if (token.isEmpty()
                    || !data.path("seq").isString()
                    || !data.path("badge").isString()
                    || !data.path("conversation").isString()
                    || !data.path("messageId").isString()) {
                refusals.add("send: body " + body);
                respond(exchange, 400, "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\"}}");
                return;
            }
            if (unregistered.contains(token)) {
                respond(
                        exchange,
                        404,
                        "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\",\"status\":"
                                + "\"NOT_FOUND\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1"
                                + ".FcmError\",\"errorCode\":\"UNREGISTERED\"}]}}");
                return;
            }
            messages.add(new Message(token, message));
            respond(exchange, 200, "{\"name\":\"projects/" + PROJECT + "/messages/" + messages.size() + "\"}");
        }
    }

    private static String read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
