/**
 * The sync-api: the read half of Courier's access layer.
 */
@NullMarked
package dev.courier.sync;

import org.jspecify.annotations.NullMarked;
