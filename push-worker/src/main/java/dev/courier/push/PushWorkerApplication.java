package dev.courier.push;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The push-worker service. Its settings live in {@code push-worker.yml} under the prefix {@code courier.push}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PushWorkerApplication {

    /** A builder that finds this service's own configuration file, also when several services share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(PushWorkerApplication.class).properties("spring.config.name=push-worker");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
