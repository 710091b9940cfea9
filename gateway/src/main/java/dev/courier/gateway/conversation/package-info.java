/**
 * The gateway's conversations feature: the chat list, read marking, mutes, history and read receipts.
 */
@NullMarked
package dev.courier.gateway.conversation;

import org.jspecify.annotations.NullMarked;
