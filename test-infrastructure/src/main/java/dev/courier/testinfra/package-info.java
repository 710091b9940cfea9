/**
 * The one entry point of integration tests to real infrastructure: {@link dev.courier.testinfra.CourierInfrastructure}.
 */
package dev.courier.testinfra;
