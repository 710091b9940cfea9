package dev.courier.push;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import tools.jackson.databind.JsonNode;

import dev.courier.common.Json;
import dev.courier.embedded.Ports;

/**
 * Pushy's own mock APNs server on a free local port, over TLS with a certificate made for this run (keytool), checking
 * what the real service checks: the provider token (an ES256 JWT of the team's key), the topic, the device token (one
 * registered here; an expired one is {@code Unregistered}, an unknown one {@code BadDeviceToken}).
 */
final class MockApns implements AutoCloseable {

    static final String TEAM_ID = "TEAM123456";

    static final String KEY_ID = "KEY1234567";

    static final String TOPIC = "dev.courier.app";

    /** What it accepted or rejected. */
    record Notification(String token, JsonNode payload, String rejection) {}

    final int port;

    /** The PKCS#8 PEM of the team's signing key, as the .p8 file Apple issues. */
    final String signingKeyPem;

    /** A PEM file of the server's certificate, for the client to trust. */
    final Path certificate;

    private final MockApnsServer server;

    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();

    private final Map<String, Instant> expiredTokens = new ConcurrentHashMap<>();

    private final List<Notification> notifications = new CopyOnWriteArrayList<>();

    MockApns(Path directory) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair team = generator.generateKeyPair();
        signingKeyPem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(team.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) team.getPublic());
        if (!(team.getPrivate() instanceof ECPrivateKey)) {
            throw new IllegalStateException("not an EC key");
        }

        Path keystore = directory.resolve("apns-server.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "apns",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        X509Certificate cert = (X509Certificate) store.getCertificate("apns");
        PrivateKey key = (PrivateKey) store.getKey("apns", "changeit".toCharArray());
        certificate = directory.resolve("apns-server.pem");
        Files.writeString(
                certificate,
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(cert.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");

        server = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {cert}, key, null)
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(
                        Map.of(TOPIC, validTokens),
                        expiredTokens,
                        Map.of(KEY_ID, verification),
                        Map.of(verification, Set.of(TOPIC))))
                .setListener(new MockApnsServerListener() {
                    @Override
                    public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
                        notifications.add(notification(headers, payload, null));
                    }

                    @Override
                    public void handlePushNotificationRejected(
                            Http2Headers headers, ByteBuf payload, RejectionReason reason, Instant invalidatedAt) {
                        notifications.add(notification(headers, payload, String.valueOf(reason)));
                    }
                })
                .build();
        port = Ports.freePort();
        server.start(port).get(30, TimeUnit.SECONDS);
    }

    private static Notification notification(Http2Headers headers, ByteBuf payload, String rejection) {
        String path = String.valueOf(headers.path());
        String token = path.substring(path.lastIndexOf('/') + 1);
        JsonNode json = payload == null
                ? Json.MAPPER.missingNode()
                : Json.MAPPER.readTree(payload.toString(StandardCharsets.UTF_8));
        return new Notification(token, json, rejection);
    }

    /** A device token APNs knows for the topic. */
    void register(String token) {
        validTokens.add(token);
    }

    /** A token APNs knew but no longer does (the app was removed): {@code Unregistered}. */
    void expire(String token) {
        validTokens.add(token);
        expiredTokens.put(token, Instant.now().minusSeconds(60));
    }

    List<Notification> notifications(String token) {
        return notifications.stream().filter(n -> n.token().equals(token)).toList();
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
