package dev.courier.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Message ids are derived from what identifies a send forever: {@code (sender, clientMsgId)} for a client send and
 * {@code (system, externalId)} for a bridged one. Any gateway instance, before or after a restart, therefore answers a
 * retried send with the same id without coordinating with the others; the fanout-worker dedupes on the id.
 */
public final class MessageId {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    /** Never updated: only copied. */
    private static final MessageDigest SHA256;

    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private MessageId() {}

    public static String forSend(String sender, String clientMsgId) {
        return "m" + hash("send", sender, clientMsgId);
    }

    public static String forBridge(String system, String externalId) {
        return "b" + hash("bridge", system, externalId);
    }

    /**
     * The id of the entry a change of a message makes (a recall, an edit, a delete, a reaction), from what identifies
     * the change forever, so a redelivered change makes the same entry.
     */
    public static String forChange(String kind, String... parts) {
        String[] all = new String[parts.length + 2];
        all[0] = "change";
        all[1] = kind;
        System.arraycopy(parts, 0, all, 2, parts.length);
        return "c" + hash(all);
    }

    /** A fresh digest, copied from a prototype: looking the algorithm up for every message cost more than hashing. */
    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException failed) {
                throw new IllegalStateException(failed);
            }
        }
    }

    /** 125 bits of SHA-256 in 25 characters of Crockford's base 32. */
    private static String hash(String... parts) {
        MessageDigest sha = sha256();
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha.update((byte) (bytes.length >>> 8));
            sha.update((byte) bytes.length);
            sha.update(bytes);
        }
        byte[] digest = sha.digest();
        StringBuilder out = new StringBuilder(25);
        int buffer = 0;
        int bits = 0;
        int index = 0;
        while (out.length() < 25) {
            if (bits < 5) {
                buffer = (buffer << 8) | (digest[index++] & 0xff);
                bits += 8;
            }
            out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
            bits -= 5;
        }
        return out.toString();
    }
}
