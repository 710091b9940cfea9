/**
 * The bridge-worker: external systems in and out of Courier through bridge topics.
 */
@NullMarked
package dev.courier.bridge;

import org.jspecify.annotations.NullMarked;
