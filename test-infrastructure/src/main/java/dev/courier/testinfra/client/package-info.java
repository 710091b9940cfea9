/**
 * Clients of Courier's public APIs for tests, as an app would use them ({@link dev.courier.testinfra.client.Api},
 * {@link dev.courier.testinfra.client.Socket}) and as no app would ({@link dev.courier.testinfra.client.RawWebSocket}).
 */
package dev.courier.testinfra.client;
