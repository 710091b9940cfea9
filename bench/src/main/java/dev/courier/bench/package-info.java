/**
 * Measurements of a running Courier, made through its public API the way an operator sizing a deployment would.
 */
package dev.courier.bench;
