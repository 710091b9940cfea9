package dev.courier.standalone;

import java.util.List;

import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;

/** The Courier system every end-to-end test class talks to: started once per JVM on the shared infrastructure. */
final class TestSystem {

    private static CourierSystem system;

    private TestSystem() {
    }

    static synchronized CourierSystem get() {
        if (system == null) {
            Infrastructure infrastructure = CourierInfrastructure.shared();
            system = CourierSystem.start(infrastructure.springArguments(), 0, 0, List.of(
                    // bridged systems of the bridge tests: one may write anywhere, one nowhere but to "nobody"
                    "--courier.bridge.systems.weibo.users=*", "--courier.bridge.systems.weibo.groups=*",
                    "--courier.bridge.systems.locked.users=nobody"));
            Runtime.getRuntime().addShutdownHook(new Thread(system::close, "stop-courier"));
        }
        return system;
    }

    static Api api() {
        CourierSystem courier = get();
        return new Api("http://127.0.0.1:" + courier.gatewayPort(), "http://127.0.0.1:" + courier.syncPort());
    }
}
