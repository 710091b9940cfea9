/**
 * The push providers, each behind {@link dev.courier.push.provider.PushProvider}: APNs, FCM and the signed webhook.
 */
@NullMarked
package dev.courier.push.provider;

import org.jspecify.annotations.NullMarked;
