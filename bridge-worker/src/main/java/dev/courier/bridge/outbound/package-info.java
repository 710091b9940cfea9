/**
 * The bridge-worker's outbound direction.
 */
@NullMarked
package dev.courier.bridge.outbound;

import org.jspecify.annotations.NullMarked;
