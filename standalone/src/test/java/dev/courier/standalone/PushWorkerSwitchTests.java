package dev.courier.standalone;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.courier.system.CourierSystem;

import static org.assertj.core.api.Assertions.assertThat;

/** The push-worker runs in the standalone jar only once a provider is configured. */
class PushWorkerSwitchTests {

    @Test
    void eachProvidersOwnSettingTurnsThePushWorkerOnAndNothingElseDoes() {
        assertThat(CourierSystem.pushConfigured(List.of("--courier.push.webhook.url=http://127.0.0.1:1/push")))
                .isTrue();
        assertThat(CourierSystem.pushConfigured(List.of("--courier.push.apns.key-id=ABC123DEFG")))
                .isTrue();
        assertThat(CourierSystem.pushConfigured(List.of("--courier.push.fcm.service-account={\"type\":1}")))
                .isTrue();
        // the environment of this build sets none of them
        assertThat(CourierSystem.pushConfigured(List.of(
                        "--courier.push.webhook.url=",
                        "--courier.push.webhook.secret=a-secret",
                        "--courier.push.preview=true",
                        "--courier.gateway.max-text-bytes=100")))
                .isFalse();
    }
}
