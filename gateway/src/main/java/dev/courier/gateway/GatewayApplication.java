package dev.courier.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The gateway service. Its settings live in {@code gateway.yml} under the prefix {@code courier.gateway}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    /** A builder that finds this service's own configuration file, also when several services share one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(GatewayApplication.class).properties("spring.config.name=gateway");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
