/**
 * The four Courier services in one JVM against given servers: {@link dev.courier.system.CourierSystem}.
 */
package dev.courier.system;
