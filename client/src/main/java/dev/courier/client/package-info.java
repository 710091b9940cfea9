/**
 * Courier's client SDK: reliable sends and a sync loop that survive bad networks.
 */
@NullMarked
package dev.courier.client;

import org.jspecify.annotations.NullMarked;
