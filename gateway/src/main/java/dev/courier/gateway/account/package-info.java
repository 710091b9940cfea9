/**
 * The gateway's account feature.
 */
@NullMarked
package dev.courier.gateway.account;

import org.jspecify.annotations.NullMarked;
