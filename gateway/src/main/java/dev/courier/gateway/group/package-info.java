/**
 * The gateway's group feature.
 */
@NullMarked
package dev.courier.gateway.group;

import org.jspecify.annotations.NullMarked;
