/**
 * What every Courier service exposes to operators: health (Kafka, database, Redis) and Prometheus metrics; and
 * best-effort background work whose cost is measured ({@link dev.courier.ops.BestEffortQueue}).
 */
package dev.courier.ops;
