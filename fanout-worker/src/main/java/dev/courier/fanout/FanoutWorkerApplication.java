package dev.courier.fanout;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The fanout-worker service. Its settings live in {@code fanout-worker.yml} under the prefix {@code courier.fanout}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FanoutWorkerApplication {

    /** A builder that finds this service's own configuration file, also when several services share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(FanoutWorkerApplication.class)
                .properties("spring.config.name=fanout-worker");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
