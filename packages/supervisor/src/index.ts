/**
 * Scoped supervisors for Effect: periodic loops with per-run deadlines and counted missed ticks,
 * keep-alive children with restart schedules and restart intensity, and progress-based health.
 *
 * @since 0.1.0
 */

/**
 * Supervisors, their children (`periodic`, `keepAlive`) and their health (`health`, `healthApp`).
 *
 * @since 0.1.0
 */
export * as Supervisor from "./Supervisor.ts"
