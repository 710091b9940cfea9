/**
 * The gateway's message feature.
 */
@NullMarked
package dev.courier.gateway.message;

import org.jspecify.annotations.NullMarked;
