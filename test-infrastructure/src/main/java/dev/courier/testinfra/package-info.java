/**
 * The one entry point of integration tests to real infrastructure: {@link dev.courier.testinfra.CourierInfrastructure};
 * besides it, what fault tests need to break servers for real ({@link dev.courier.testinfra.JavaProcess},
 * {@link dev.courier.testinfra.TcpProxy}, {@link dev.courier.testinfra.KafkaCluster}).
 */
package dev.courier.testinfra;
