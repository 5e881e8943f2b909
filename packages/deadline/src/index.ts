/**
 * @since 0.1.0
 */

/**
 * Deadlines tied to interruption, with budgets inherited by nested work.
 *
 * @since 0.1.0
 */
export * as Deadline from "./Deadline.ts"

/**
 * The typed error every Lifeline constructor fails with for bad options.
 *
 * @since 0.1.0
 */
export * as InvalidOptions from "./InvalidOptions.ts"

/**
 * Counters named `lifeline_*`, and series bound once to fixed tags.
 *
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.ts"

/**
 * Time on the monotonic clock, and sleeps longer than a runtime timer can wait.
 *
 * @since 0.1.0
 */
export * as Monotonic from "./Monotonic.ts"

/**
 * Strict validation of options, shared by every Lifeline package.
 *
 * @since 0.1.0
 */
export * as Options from "./Options.ts"
