/**
 * @since 0.1.0
 */

/**
 * A bounded queue whose offer never blocks: it drops, and counts every drop.
 *
 * @since 0.1.0
 */
export * as DroppingQueue from "./DroppingQueue.ts"

/**
 * A bounded, line-safe buffer for byte streams that never fabricates a line.
 *
 * @since 0.1.0
 */
export * as LineBuffer from "./LineBuffer.ts"

/**
 * A best-effort batch shipper with bounded memory and a bounded flush.
 *
 * @since 0.1.0
 */
export * as Shipper from "./Shipper.ts"

/**
 * A logger that writes every line locally and best-effort to a shipper.
 *
 * @since 0.1.0
 */
export * as DualWriteLogger from "./DualWriteLogger.ts"
