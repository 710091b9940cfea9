/**
 * The shared vocabulary of Courier: identifiers, Kafka topic names and records, the sync key and access tokens.
 */
@NullMarked
package dev.courier.common;

import org.jspecify.annotations.NullMarked;
