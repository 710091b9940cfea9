/**
 * What every Courier service exposes to operators: health (Kafka, database, Redis), Prometheus metrics, and the one
 * set of settings with which the services create Kafka topics.
 */
package dev.courier.ops;
