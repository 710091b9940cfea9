/**
 * What every Courier service exposes to operators and shares: health (Kafka, database, Redis), Prometheus metrics,
 * the one set of settings with which the services create Kafka topics, the base configuration
 * ({@code courier-service.yml}), and best-effort background work whose cost is measured
 * ({@link dev.courier.ops.BestEffortQueue}).
 */
package dev.courier.ops;
