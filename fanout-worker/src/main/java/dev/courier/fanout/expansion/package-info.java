/**
 * The fanout-worker's expansion stage.
 */
@NullMarked
package dev.courier.fanout.expansion;

import org.jspecify.annotations.NullMarked;
