/**
 * The bridge-worker's inbound direction.
 */
@NullMarked
package dev.courier.bridge.inbound;

import org.jspecify.annotations.NullMarked;
