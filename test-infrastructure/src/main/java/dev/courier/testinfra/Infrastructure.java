package dev.courier.testinfra;

/**
 * Where the servers of a test run are.
 *
 * @param description how they were obtained, for logs
 */
public record Infrastructure(String kafkaBootstrap, String jdbcUrl, String dbUser, String dbPassword, String redisUrl,
        String description) {

    /** Spring properties that point a Courier service at these servers, as {@code --name=value} arguments. */
    public java.util.List<String> springArguments() {
        return java.util.List.of("--spring.kafka.bootstrap-servers=" + kafkaBootstrap,
                "--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + dbUser,
                "--spring.datasource.password=" + dbPassword, "--spring.data.redis.url=" + redisUrl);
    }
}
