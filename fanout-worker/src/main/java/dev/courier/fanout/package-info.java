/**
 * The fanout-worker: the expansion stage and the inbox-writer stage of the pipeline.
 */
@NullMarked
package dev.courier.fanout;

import org.jspecify.annotations.NullMarked;
