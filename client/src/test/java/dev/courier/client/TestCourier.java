package dev.courier.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;

/** The Courier system of this test JVM (all four services on the shared infrastructure), and clients of it. */
final class TestCourier {

    /** Short pauses, so that outages in the tests are ridden out quickly. */
    static final ClientSettings SETTINGS = ClientSettings.defaults()
            .withConnectTimeout(Duration.ofSeconds(2))
            .withFirstResponseTimeout(Duration.ofSeconds(5))
            .withSendTimeout(Duration.ofSeconds(90))
            .withRetryBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2))
            .withReconnectBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2))
            .withLongPollWait(Duration.ofSeconds(5));

    private static CourierSystem system;

    private TestCourier() {}

    static synchronized CourierSystem system() {
        if (system == null) {
            system = CourierSystem.start(CourierInfrastructure.shared().springArguments(), 0, 0, List.of());
            Runtime.getRuntime().addShutdownHook(new Thread(system::close, "stop-courier"));
        }
        return system;
    }

    static URI gateway() {
        return URI.create("http://127.0.0.1:" + system().gatewayPort());
    }

    static URI sync() {
        return URI.create("http://127.0.0.1:" + system().syncPort());
    }

    static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    /** A new account; its credentials name the device "phone". */
    static Credentials newUser(String prefix) {
        String userId = uniqueId(prefix);
        try (CourierClient anonymous =
                CourierClient.builder(gateway(), sync()).settings(SETTINGS).build()) {
            anonymous.createAccount(userId, "password-" + userId, prefix);
        }
        return new Credentials(userId, "password-" + userId, "phone");
    }

    static CourierClient client(Credentials credentials) {
        return CourierClient.builder(gateway(), sync())
                .credentials(credentials)
                .settings(SETTINGS)
                .build();
    }
}
