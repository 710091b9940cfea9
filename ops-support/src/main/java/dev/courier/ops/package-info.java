/**
 * What every Courier service exposes to operators: health (Kafka, database, Redis) and Prometheus metrics.
 */
package dev.courier.ops;
