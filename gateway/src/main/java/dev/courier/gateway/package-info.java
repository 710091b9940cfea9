/**
 * The gateway: the write half of Courier's access layer.
 */
@NullMarked
package dev.courier.gateway;

import org.jspecify.annotations.NullMarked;
