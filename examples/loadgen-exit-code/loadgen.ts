/**
 * The load generator's work, the same in both modes: a dispatcher that sends transactions to the chain's RPC
 * endpoint, a block collector that follows the chain's height, and a stats logger that reports both. Each is a
 * loop that never ends by itself and fails only for a real reason (the endpoint cannot be reached). The modes
 * differ in how they stop these loops and end the process: `naive.ts` as the incident did, `lifeline.ts` with
 * `Main.run`.
 */
import { Deadline } from "@lifeline/deadline"
import { Data, Effect, Schedule } from "effect"
import type { FinalStats } from "./judge.ts"

/** The endpoint could not be reached: a real failure, the kind a load test must report with a non-zero exit. */
export class SendFailed extends Data.TaggedError("SendFailed")<{ readonly task: string; readonly reason: string }> {
  override get message(): string {
    return `${this.task}: ${this.reason}`
  }
}

/** The run's counters, shared by the three tasks (one process, one fiber at a time: no lock needed). */
export interface Stats {
  sent: number
  accepted: number
  rejected: number
  height: number
}

export const makeStats = (): Stats => ({ sent: 0, accepted: 0, rejected: 0, height: 0 })

/** The line every run logs once its tasks are running: the kubelet's cue that the container is up. */
export const startedMessage = "load test started"
export const finalStatsMessage = "final stats"

/** How often each task works: a transaction every 5 ms, a block poll every 100 ms, stats every 250 ms. */
const sendEvery = "5 millis"
const pollEvery = "100 millis"
const statsEvery = "250 millis"

const reasonOf = (error: unknown): string => {
  // fetch fails with "fetch failed"; the reason (ECONNREFUSED, …) is its cause.
  const cause = error instanceof Error ? error.cause : undefined
  return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error)
}

/** One call to the endpoint: a deadline of its own, and two retries before the endpoint counts as unreachable. */
const call = (task: string, url: string, init: RequestInit = {}): Effect.Effect<Response, SendFailed> =>
  Effect.tryPromise({
    try: (signal) => fetch(url, { ...init, signal }),
    catch: (error) => new SendFailed({ task, reason: reasonOf(error) })
  }).pipe(
    Deadline.within("2 seconds", { label: task }),
    Effect.mapError((error) => error._tag === "SendFailed" ? error : new SendFailed({ task, reason: error.message })),
    Effect.retry({ times: 2, schedule: Schedule.spaced("50 millis") })
  )

const body = (response: Response): Effect.Effect<string> => Effect.promise(() => response.text().catch(() => ""))

/** Sends one transaction after another; an answer other than 2xx is counted, an unreachable endpoint fails. */
export const dispatcher = (endpoint: string, stats: Stats): Effect.Effect<never, SendFailed> =>
  Effect.gen(function* () {
    stats.sent++
    const response = yield* call("dispatcher", `${endpoint}/tx`, { method: "POST", body: `{"tx":${stats.sent}}` })
    yield* body(response)
    if (response.ok) stats.accepted++
    else stats.rejected++
  }).pipe(Effect.zipRight(Effect.sleep(sendEvery)), Effect.forever)

/** The height in a `{"height":n}` answer; a garbled answer is not worth ending the run for. */
const heightOf = (text: string): number => {
  try {
    const height: unknown = JSON.parse(text)
    return typeof height === "object" && height !== null && "height" in height && typeof height.height === "number"
      ? height.height
      : 0
  } catch {
    return 0
  }
}

/** Follows the chain's height. */
export const blockCollector = (endpoint: string, stats: Stats): Effect.Effect<never, SendFailed> =>
  Effect.gen(function* () {
    const response = yield* call("block collector", `${endpoint}/block`)
    stats.height = Math.max(stats.height, heightOf(yield* body(response)))
  }).pipe(Effect.zipRight(Effect.sleep(pollEvery)), Effect.forever)

const logStats = (message: string, stats: Stats): Effect.Effect<void> =>
  Effect.suspend(() => Effect.log(message).pipe(Effect.annotateLogs({ ...stats })))

/** Reports the counters every 250 ms. */
export const statsLogger = (stats: Stats): Effect.Effect<never> =>
  Effect.sleep(statsEvery).pipe(Effect.zipRight(logStats("stats", stats)), Effect.forever)

/** The line a load test exists for: what it sent, printed once on the way out. */
export const printFinalStats = (stats: Stats): Effect.Effect<void> => logStats(finalStatsMessage, stats)

/** The final stats line in the container's stdout (Effect's default `key=value` format), if it printed one. */
export const finalStatsOf = (stdout: string): FinalStats | undefined => {
  const line = stdout.split("\n").find((l) => l.includes(`message="${finalStatsMessage}"`))
  if (line === undefined) return undefined
  const field = (key: string) => Number(new RegExp(`\\b${key}=(\\d+)`).exec(line)?.[1] ?? Number.NaN)
  return { sent: field("sent"), accepted: field("accepted"), rejected: field("rejected"), height: field("height") }
}
