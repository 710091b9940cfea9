/**
 * Shared HTTP behaviour of the gateway and the sync-api: problem+json errors with stable codes, and the authenticated
 * {@link dev.courier.web.Caller}.
 */
@NullMarked
package dev.courier.web;

import org.jspecify.annotations.NullMarked;
