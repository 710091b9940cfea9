package dev.courier.common;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a {@link SyncKey} into the opaque, tamper-evident string a client stores, and back. The string is base64url of
 * a small binary payload followed by 16 bytes of its HMAC-SHA256, so a client can neither forge a position nor present
 * another user's key as its own. Thread-safe.
 */
public final class SyncKeyCodec {

    /** The format written: 2 added the conversations and groups versions. Keys of format 1 are still read. */
    private static final byte FORMAT = 2;

    private static final byte FIRST_FORMAT = 1;

    private static final int MAC_BYTES = 16;

    private static final int MAX_KEY_CHARS = 512;

    private final SecretKeySpec secret;

    private final Mac prototype;

    public SyncKeyCodec(String secret) {
        if (secret.length() < 16) {
            throw new IllegalArgumentException("the sync-key secret must have at least 16 characters");
        }
        this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        try {
            this.prototype = Mac.getInstance("HmacSHA256");
            this.prototype.init(this.secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String encode(SyncKey key) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(key.userId());
            out.writeLong(key.epoch());
            out.writeLong(key.accountVersion());
            out.writeLong(key.contactsVersion());
            out.writeLong(key.messageSeq());
            out.writeLong(key.conversationsVersion());
            out.writeLong(key.groupsVersion());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] payload = bytes.toByteArray();
        byte[] signed = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(mac(payload), 0, signed, payload.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
    }

    /**
     * Decodes a key presented by {@code userId}.
     *
     * @throws InvalidSyncKeyException when the key is malformed, was altered, or was issued to another user
     */
    public SyncKey decode(String text, String userId) {
        if (text.length() > MAX_KEY_CHARS) {
            throw new InvalidSyncKeyException("the sync key is too long");
        }
        byte[] signed;
        try {
            signed = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidSyncKeyException("the sync key is not one this server issued");
        }
        if (signed.length <= MAC_BYTES) {
            throw new InvalidSyncKeyException("the sync key is not one this server issued");
        }
        byte[] payload = Arrays.copyOf(signed, signed.length - MAC_BYTES);
        byte[] presented = Arrays.copyOfRange(signed, payload.length, signed.length);
        if (!MessageDigest.isEqual(presented, Arrays.copyOf(mac(payload), MAC_BYTES))) {
            throw new InvalidSyncKeyException("the sync key is not one this server issued");
        }
        SyncKey key;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            byte format = in.readByte();
            if (format != FORMAT && format != FIRST_FORMAT) {
                throw new InvalidSyncKeyException("the sync key has an unknown format");
            }
            key = new SyncKey(
                    in.readUTF(),
                    in.readLong(),
                    in.readLong(),
                    in.readLong(),
                    in.readLong(),
                    format == FORMAT ? in.readLong() : 0,
                    format == FORMAT ? in.readLong() : 0);
        } catch (IOException e) {
            throw new InvalidSyncKeyException("the sync key is not one this server issued");
        }
        if (!key.userId().equals(userId)) {
            throw new InvalidSyncKeyException("the sync key was issued to another user");
        }
        return key;
    }

    /**
     * A copy of the initialised prototype: every sync encodes and decodes a key, and creating and keying a {@code Mac}
     * each time cost more than the MAC itself (a thread-local one would not help on virtual threads).
     */
    private byte[] mac(byte[] payload) {
        try {
            return ((Mac) prototype.clone()).doFinal(payload);
        } catch (CloneNotSupportedException e) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(secret);
                return mac.doFinal(payload);
            } catch (GeneralSecurityException failed) {
                throw new IllegalStateException(failed);
            }
        }
    }

    /** The key cannot be used; answered as {@code 400 invalid_sync_key}. */
    public static final class InvalidSyncKeyException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /** Never null: every constructor sets the message. */
        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

        public InvalidSyncKeyException(String reason) {
            super(reason);
        }
    }
}
