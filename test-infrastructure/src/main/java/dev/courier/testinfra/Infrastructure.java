package dev.courier.testinfra;

import java.util.List;

/**
 * Where the servers of a test run are.
 *
 * @param description how they were obtained, for logs
 */
public record Infrastructure(
        String kafkaBootstrap, String jdbcUrl, String dbUser, String dbPassword, String redisUrl, String description) {

    /** Spring properties that point a Courier service at these servers, as {@code --name=value} arguments. */
    public List<String> springArguments() {
        return List.of(
                "--spring.kafka.bootstrap-servers=" + kafkaBootstrap,
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=" + dbUser,
                "--spring.datasource.password=" + dbPassword,
                "--spring.data.redis.url=" + redisUrl);
    }
}
