package dev.courier.standalone;

import java.util.List;

import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.client.Api;

/** The Courier system every end-to-end test class talks to: started once per JVM on the shared infrastructure. */
final class TestSystem {

    static final String WEBHOOK_SECRET = "standalone-webhook-secret";

    private static CourierSystem system;

    private static WebhookReceiver webhook;

    private TestSystem() {}

    static synchronized CourierSystem get() {
        if (system == null) {
            Infrastructure infrastructure = CourierInfrastructure.shared();
            webhook = new WebhookReceiver(WEBHOOK_SECRET);
            system = CourierSystem.start(
                    infrastructure.springArguments(),
                    0,
                    0,
                    List.of(
                            // the bridged system of the bridge tests, which may write anywhere
                            "--courier.bridge.systems.weibo.users=*",
                            "--courier.bridge.systems.weibo.groups=*",
                            CourierStandalone.DEMO_PAGE,
                            // tests that are not about rate limits must not meet them (LimitsIntegrationTests has its
                            // own)
                            "--courier.gateway.limits.send-burst=1000000",
                            "--courier.gateway.limits.sends-per-second=1000000",
                            // the push-worker, on because its webhook is set (PushIntegrationTests); a failing push
                            // gives up soon, so that it holds up no other test's pushes for long
                            "--courier.push.webhook.url=" + webhook.url(),
                            "--courier.push.webhook.secret=" + WEBHOOK_SECRET,
                            "--courier.push.webhook.timeout=2s",
                            "--courier.push.retry.initial-interval=200ms",
                            "--courier.push.retry.max-interval=1s",
                            "--courier.push.retry.max-elapsed=5s"));
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                system.close();
                                webhook.close();
                            },
                            "stop-courier"));
        }
        return system;
    }

    /**
     * Another instance of a service on the same servers (and so the same Redis, Kafka and database), with more
     * arguments; the caller closes it.
     */
    static org.springframework.context.ConfigurableApplicationContext extra(
            org.springframework.boot.builder.SpringApplicationBuilder builder, String... args) {
        get();
        List<String> all =
                new java.util.ArrayList<>(CourierInfrastructure.shared().springArguments());
        all.addAll(List.of(
                "--server.port=0", "--spring.main.banner-mode=off", "--logging.include-application-name=false"));
        all.addAll(List.of(args));
        return builder.registerShutdownHook(false).logStartupInfo(false).run(all.toArray(String[]::new));
    }

    static int port(org.springframework.context.ConfigurableApplicationContext context) {
        return ((org.springframework.boot.web.server.context.WebServerApplicationContext) context)
                .getWebServer()
                .getPort();
    }

    /** The receiver behind the push-worker's webhook. */
    static WebhookReceiver webhook() {
        get();
        return webhook;
    }

    static Api api() {
        CourierSystem courier = get();
        return new Api("http://127.0.0.1:" + courier.gatewayPort(), "http://127.0.0.1:" + courier.syncPort());
    }
}
