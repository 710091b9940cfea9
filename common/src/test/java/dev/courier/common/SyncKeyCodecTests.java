package dev.courier.common;

import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyncKeyCodecTests {

    private final SyncKeyCodec codec = new SyncKeyCodec("a-test-secret-of-some-length");

    @Test
    void roundTripsEveryField() {
        SyncKey key = new SyncKey("bob", 42, 3, 7, 1234);
        assertThat(codec.decode(codec.encode(key), "bob")).isEqualTo(key);
    }

    @Test
    void keyIsOpaqueUrlSafeText() {
        assertThat(codec.encode(new SyncKey("bob", 1, 2, 3, 4))).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void rejectsAnotherUsersKey() {
        String key = codec.encode(new SyncKey("alice", 1, 0, 0, 9));
        assertThatThrownBy(() -> codec.decode(key, "bob"))
                .isInstanceOf(SyncKeyCodec.InvalidSyncKeyException.class)
                .hasMessageContaining("another user");
    }

    @Test
    void rejectsAlteredKey() {
        byte[] bytes = Base64.getUrlDecoder().decode(codec.encode(new SyncKey("bob", 1, 0, 0, 9)));
        bytes[bytes.length - 20] ^= 1;
        String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        assertThatThrownBy(() -> codec.decode(altered, "bob")).isInstanceOf(SyncKeyCodec.InvalidSyncKeyException.class);
    }

    @Test
    void rejectsKeyOfAnotherSecret() {
        String foreign = new SyncKeyCodec("another-secret-entirely").encode(new SyncKey("bob", 1, 0, 0, 9));
        assertThatThrownBy(() -> codec.decode(foreign, "bob")).isInstanceOf(SyncKeyCodec.InvalidSyncKeyException.class);
    }

    @Test
    void rejectsGarbage() {
        for (String garbage : new String[] {"", "x", "!!!", "AAAA", "a".repeat(600), "' OR 1=1 --"}) {
            assertThatThrownBy(() -> codec.decode(garbage, "bob"))
                    .isInstanceOf(SyncKeyCodec.InvalidSyncKeyException.class);
        }
    }
}
