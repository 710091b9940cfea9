/**
 * The fanout-worker's inbox stage.
 */
@NullMarked
package dev.courier.fanout.inbox;

import org.jspecify.annotations.NullMarked;
