/**
 * The process boundary for Effect programs on Node, Deno and Bun: exit-code policy, signals, a grace period
 * with force exit, and a run duration.
 *
 * @since 0.1.0
 */

/**
 * Running a program as the whole process (`run`), the exit-code policy (`exitCode`), and the shutdown as the
 * program and its load balancer see it (`shuttingDown`, `readinessApp`).
 *
 * @since 0.1.0
 */
export * as Main from "./Main.ts"
