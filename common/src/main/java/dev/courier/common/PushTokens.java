package dev.courier.common;

import java.util.List;

/** The rules of a device's push token (PROTOCOL.md, "Pushes to offline devices"). */
public final class PushTokens {

    public static final String APNS = "apns";

    public static final String FCM = "fcm";

    public static final String WEBHOOK = "webhook";

    /** The providers a token may name, in the order the contract lists them. */
    public static final List<String> PROVIDERS = List.of(APNS, FCM, WEBHOOK);

    public static final int MAX_TOKEN_LENGTH = 4096;

    public static final String TOKEN_RULE = "1-" + MAX_TOKEN_LENGTH + " printable ASCII characters without spaces";

    public static final String PROVIDER_RULE = "must be one of apns, fcm, webhook";

    private PushTokens() {}

    public static boolean isProvider(String value) {
        return PROVIDERS.contains(value);
    }

    /** 1-4096 characters {@code !} to {@code ~}. */
    public static boolean isToken(String value) {
        if (value.isEmpty() || value.length() > MAX_TOKEN_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
