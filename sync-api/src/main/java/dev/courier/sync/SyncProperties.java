package dev.courier.sync;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sync-api.
 *
 * @param keySecret HMAC secret of sync keys, shared by every sync-api instance; the default is for development only
 * @param defaultLimit messages per delta when the client names no limit
 * @param maxLimit the largest limit a client may ask for
 * @param epochRefresh how often the store's epoch is read again
 */
@ConfigurationProperties("courier.sync")
public record SyncProperties(@DefaultValue(DEVELOPMENT_SECRET) String keySecret,
        @DefaultValue("100") int defaultLimit, @DefaultValue("500") int maxLimit,
        @DefaultValue("10s") Duration epochRefresh) {

    public static final String DEVELOPMENT_SECRET = "courier-development-sync-key-secret";
}
