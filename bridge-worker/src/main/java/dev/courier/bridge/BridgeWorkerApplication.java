package dev.courier.bridge;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The bridge-worker service. Its settings live in {@code bridge-worker.yml} under the prefix {@code courier.bridge}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BridgeWorkerApplication {

    /** A builder that finds this service's own configuration file, also when several services share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(BridgeWorkerApplication.class)
                .properties("spring.config.name=bridge-worker");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
