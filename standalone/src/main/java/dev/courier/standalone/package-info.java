/**
 * All of Courier in one process: {@link dev.courier.standalone.CourierStandalone} on embedded servers, and
 * {@link dev.courier.standalone.CourierSystem}, the services wired to given servers.
 */
package dev.courier.standalone;
