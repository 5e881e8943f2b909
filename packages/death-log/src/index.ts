/**
 * @since 0.1.0
 */

/**
 * The last lines of a stream, bounded in lines and in bytes, with line-safe truncation.
 *
 * @since 0.1.0
 */
export * as LogTail from "./LogTail.ts"

/**
 * A child's or fiber's last lines, captured and re-emitted once when it ends abnormally.
 *
 * @since 0.1.0
 */
export * as DeathLog from "./DeathLog.ts"
