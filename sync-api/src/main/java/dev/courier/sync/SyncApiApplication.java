package dev.courier.sync;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The sync-api service. Its settings live in {@code sync-api.yml} under the prefix {@code courier.sync}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SyncApiApplication {

    /** A builder that finds this service's own configuration file, also when several services share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(SyncApiApplication.class).properties("spring.config.name=sync-api");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
