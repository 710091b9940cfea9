package dev.courier.common;

import java.util.regex.Pattern;

/**
 * The textual forms of identifiers, as PROTOCOL.md defines them. Every check returns a human readable problem, or
 * {@code null} when the value is acceptable, so that callers can name the offending field in their error.
 */
public final class Ids {

    private static final Pattern USER_OR_GROUP = Pattern.compile("[a-z0-9._-]{1,64}");

    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final Pattern CLIENT_MSG_ID = Pattern.compile("[\\x21-\\x7E]{1,64}");

    /** As wide as the {@code message_id} columns: Courier's own ids are 26 characters of lower-case base 32. */
    private static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    /** A message's kind: the kinds of a send, and those of the entries Courier makes (system, lifecycle). */
    private static final Pattern KIND = Pattern.compile("[a-z]{1,16}");

    /** Bridge systems: the suffix of their topic names. */
    private static final Pattern SYSTEM = Pattern.compile("[a-z0-9_-]{1,64}");

    public static final String USER_ID_RULE = "1-64 characters of a-z 0-9 . _ -";

    public static final String DEVICE_ID_RULE = "1-64 characters of A-Z a-z 0-9 . _ -";

    public static final String CLIENT_MSG_ID_RULE = "1-64 printable ASCII characters without spaces";

    public static final String MESSAGE_ID_RULE = "1-32 characters of A-Z a-z 0-9 . _ -";

    public static final String SYSTEM_ID_RULE = "1-64 characters of a-z 0-9 _ -";

    public static final String KIND_RULE = "1-16 characters of a-z";

    private Ids() {}

    /** As {@link #USER_OR_GROUP}, by hand: checked for every member of every group message the inbox writer reads. */
    public static boolean isUserId(String value) {
        int length = value.length();
        if (length < 1 || length > 64) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    public static boolean isGroupId(String value) {
        return USER_OR_GROUP.matcher(value).matches();
    }

    public static boolean isDeviceId(String value) {
        return DEVICE.matcher(value).matches();
    }

    public static boolean isClientMsgId(String value) {
        return CLIENT_MSG_ID.matcher(value).matches();
    }

    public static boolean isMessageId(String value) {
        return MESSAGE_ID.matcher(value).matches();
    }

    /** Event ids of membership changes: as a client message id (printable ASCII, at most 64). */
    public static boolean isEventId(String value) {
        return CLIENT_MSG_ID.matcher(value).matches();
    }

    public static boolean isKind(String value) {
        return KIND.matcher(value).matches();
    }

    public static boolean isSystemId(String value) {
        return SYSTEM.matcher(value).matches();
    }
}
