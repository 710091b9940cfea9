/**
 * The terminal client: Courier's SDK behind a handful of commands.
 */
@NullMarked
package dev.courier.cli;

import org.jspecify.annotations.NullMarked;
