/**
 * The patrol agent of incident 001, one sweep at a time: Collect (GET the firing alerts from the alert API)
 * → Analyze (map each alert to an action) → Execute (apply the actions through the executor). The agent knows
 * nothing about scheduling, deadlines or recovery: those belong to whoever runs its sweeps, which is exactly
 * the part the naive runner gets wrong.
 *
 * Two faults are built in so the replay is deterministic: on sweep `defectOnSweep` an alert kind arrives that
 * Analyze has no rule for, and the lookup throws a real `TypeError` (a defect, not a typed failure); with
 * `wedgeOnSweep` set, Execute on that sweep waits uninterruptibly for an acknowledgement that never comes,
 * while holding the executor — so no later sweep can execute either.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { Deferred, Effect, Schema } from "effect"
import type { ParseResult } from "effect"
import type { Tally } from "./tally.ts"

export interface Options {
  /** Base URL of the alert API. */
  readonly alertsUrl: string
  /** Sweep number (1-based) whose Analyze step throws. */
  readonly defectOnSweep: number
  /** Sweep number (1-based) whose Execute step wedges in uninterruptible code, if any. */
  readonly wedgeOnSweep?: number | undefined
  readonly tally: Tally
}

export interface Agent<E> {
  /** One sweep: Collect → Analyze → Execute. */
  readonly sweep: Effect.Effect<
    void,
    E | HttpClientError.ResponseError | ParseResult.ParseError
  >
}

const Alert = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  severity: Schema.String
})
const Alerts = Schema.Struct({ alerts: Schema.Array(Alert) })
type Alert = typeof Alert.Type

const rules: Record<string, { readonly action: string }> = {
  KubePodCrashLooping: { action: "collect-logs" },
  NodeDiskPressure: { action: "cordon-node" }
}

const analyze = (alerts: ReadonlyArray<Alert>): ReadonlyArray<string> =>
  // A rule table that is missing an entry is the latent bug: the lookup below has no guard.
  alerts.map((alert) => rules[alert.name]!.action)

/** Builds an agent whose Collect step goes through `client`. */
export const make = <E>(client: HttpClient.HttpClient.With<E>, options: Options): Effect.Effect<Agent<E>> =>
  Effect.gen(function* () {
    const alertsApi = HttpClient.filterStatusOk(client)
    const executor = yield* Effect.makeSemaphore(1)
    const neverAcknowledged = yield* Deferred.make<void>()
    const { tally } = options

    const collect = alertsApi.get(`${options.alertsUrl}/alerts`).pipe(
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Alerts)),
      Effect.map((body) => body.alerts)
    )

    const execute = (sweep: number, actions: ReadonlyArray<string>) =>
      executor.withPermits(1)(
        sweep === options.wedgeOnSweep
          ? Effect.sync(() => tally.wedge()).pipe(
            Effect.zipRight(Effect.logWarning("execute: waiting for the executor's acknowledgement")),
            Effect.zipRight(Deferred.await(neverAcknowledged)),
            Effect.uninterruptible
          )
          : Effect.annotateLogs(Effect.logInfo("sweep complete"), { sweep, actions: actions.join(",") })
      )

    const sweep = Effect.gen(function* () {
      const n = tally.begin()
      tally.enter("collect")
      const alerts = yield* collect
      tally.enter("analyze")
      const incoming = n === options.defectOnSweep
        ? [...alerts, {
          id: "a-new",
          name: "ControlPlaneLatencyHigh",
          severity: "critical"
        }]
        : alerts
      const actions = analyze(incoming)
      tally.enter("execute")
      yield* execute(n, actions)
    }).pipe(Effect.onExit((exit) => Effect.sync(() => tally.end(exit))))

    return { sweep }
  })
