package dev.courier.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings every HTTP service shares, so that a token issued by any gateway is accepted by every service.
 *
 * @param tokenSecret HMAC secret of access tokens, at least 32 bytes; the default is for development only
 * @param tokenTtl how long an access token stays valid
 */
@ConfigurationProperties("courier.auth")
public record AuthProperties(
        @DefaultValue(DEVELOPMENT_SECRET) String tokenSecret,
        @DefaultValue("24h") Duration tokenTtl) {

    public static final String DEVELOPMENT_SECRET = "courier-development-secret-change-me!";
}
