/**
 * The push-worker: pushes to devices that are offline, fed by the inbox writer's candidates on {@code courier.push}.
 */
@NullMarked
package dev.courier.push;

import org.jspecify.annotations.NullMarked;
