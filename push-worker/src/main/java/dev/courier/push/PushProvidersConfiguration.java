package dev.courier.push;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.courier.push.provider.ApnsProvider;
import dev.courier.push.provider.FcmAccessTokens;
import dev.courier.push.provider.FcmProvider;
import dev.courier.push.provider.PushProvider;
import dev.courier.push.provider.WebhookProvider;

/**
 * The providers that are configured ({@link PushProperties}): each is off until its settings are there, and a setting
 * that is there but wrong stops the worker at start with a message saying which.
 */
@Configuration(proxyBeanMethods = false)
class PushProvidersConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PushProvidersConfiguration.class);

    @Bean
    Providers pushProviders(PushProperties properties, Clock clock) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<PushProvider> providers = new ArrayList<>();
        if (properties.webhook().enabled()) {
            providers.add(webhook(properties.webhook(), http, clock));
        }
        if (properties.apns().enabled()) {
            providers.add(apns(properties.apns(), clock));
        }
        if (properties.fcm().enabled()) {
            providers.add(fcm(properties.fcm(), http, clock));
        }
        log.info(
                "Push providers on: {}",
                providers.isEmpty()
                        ? "none (set courier.push.webhook.url, courier.push.apns.* or courier.push.fcm.*)"
                        : providers.stream().map(PushProvider::name).toList());
        return new Providers(providers);
    }

    private static WebhookProvider webhook(PushProperties.Webhook settings, HttpClient http, Clock clock) {
        String secret = settings.secret();
        if (secret == null || secret.isEmpty()) {
            throw new IllegalStateException(
                    "courier.push.webhook.url is set but courier.push.webhook.secret is not (COURIER_PUSH_WEBHOOK_SECRET):"
                            + " pushes to the webhook are signed with it");
        }
        URI url = URI.create(String.valueOf(settings.url()).trim());
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalStateException("courier.push.webhook.url must be an http or https URL, was " + url);
        }
        return new WebhookProvider(url, secret, settings.timeout(), http, clock);
    }

    private static ApnsProvider apns(PushProperties.Apns settings, Clock clock) {
        String teamId = required(settings.teamId(), "courier.push.apns.team-id");
        String signingKey = required(settings.signingKey(), "courier.push.apns.signing-key");
        String topic = required(settings.topic(), "courier.push.apns.topic");
        String server = settings.server();
        int colon = server.lastIndexOf(':');
        String host = colon > 0 ? server.substring(0, colon) : server;
        int port = colon > 0 ? Integer.parseInt(server.substring(colon + 1)) : ApnsClientBuilder.DEFAULT_APNS_PORT;
        try {
            ApnsClientBuilder builder = new ApnsClientBuilder()
                    .setApnsServer(host, port)
                    .setSigningKey(ApnsSigningKey.loadFromInputStream(
                            new ByteArrayInputStream(signingKey.getBytes(StandardCharsets.US_ASCII)),
                            teamId,
                            String.valueOf(settings.keyId())))
                    .setConnectionTimeout(Duration.ofSeconds(5));
            if (settings.trustedCertificate() != null
                    && !settings.trustedCertificate().isBlank()) {
                builder.setTrustedServerCertificateChain(new File(settings.trustedCertificate()));
            }
            ApnsClient client = builder.build();
            return new ApnsProvider(client, topic, settings.expiration(), clock);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("courier.push.apns: cannot use the signing key or the server: " + e, e);
        }
    }

    private static FcmProvider fcm(PushProperties.Fcm settings, HttpClient http, Clock clock) {
        FcmAccessTokens.ServiceAccount account;
        try {
            account = FcmAccessTokens.ServiceAccount.parse(String.valueOf(settings.serviceAccount()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("courier.push.fcm.service-account: " + e.getMessage(), e);
        }
        String tokenUri = settings.tokenUri() != null && !settings.tokenUri().isBlank()
                ? settings.tokenUri()
                : account.tokenUri();
        String projectId = settings.projectId() != null && !settings.projectId().isBlank()
                ? settings.projectId()
                : account.projectId();
        FcmAccessTokens tokens = new FcmAccessTokens(account, URI.create(tokenUri), http, settings.timeout(), clock);
        return new FcmProvider(settings.endpoint(), projectId, tokens, http, settings.timeout(), clock);
    }

    private static String required(@org.jspecify.annotations.Nullable String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("courier.push.apns.key-id is set but " + name + " is not");
        }
        return value;
    }

    /** The configured providers by name; closes those that hold connections. */
    static final class Providers implements DisposableBean {

        private final List<PushProvider> providers;

        Providers(List<PushProvider> providers) {
            this.providers = List.copyOf(providers);
        }

        @org.jspecify.annotations.Nullable
        PushProvider get(String name) {
            for (PushProvider provider : providers) {
                if (provider.name().equals(name)) {
                    return provider;
                }
            }
            return null;
        }

        List<PushProvider> all() {
            return providers;
        }

        @Override
        public void destroy() throws Exception {
            for (PushProvider provider : providers) {
                if (provider instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
        }
    }
}
