/**
 * What both modes share: the scaled-down Job (when the kubelet sends SIGTERM, its termination grace period, the
 * load generator's own grace period), the command line, and the run itself — start the RPC endpoint, run the
 * load generator's container under the kubelet, and read how it ended. The modes differ only in the program the
 * container runs (`naive.ts` or `lifeline.ts`) and in the last words each boundary leaves on stderr.
 *
 * Command line of the replay: `--duration <d>` (Go-style: `1500ms`, `2s`, `1m`; the load generator ends
 * itself after `d`, and the kubelet's SIGTERM moves to the Job's deadline), `--endpoint ok|refused`.
 */
import { Duration, Effect, type Scope } from "effect"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Mode } from "../incidents.ts"
import type { Args, Context } from "../shared/Example.ts"
import * as Endpoint from "./endpoint.ts"
import type { RunFigures } from "./judge.ts"
import * as Kubelet from "./kubelet.ts"
import * as LoadGen from "./loadgen.ts"

/** Without `--duration`, the kubelet's SIGTERM comes 1.5 s into the load test (a drain, an eviction, a deadline). */
export const sigtermAfterMs = 1500
/** The pod's `terminationGracePeriodSeconds`, scaled: SIGKILL this long after SIGTERM. */
export const terminationGracePeriodMs = 5000
/** `Main.run`'s `gracePeriod`: below the kubelet's, so the load generator's own deadline comes first. */
export const gracePeriod = Duration.seconds(2)
/** With `--duration d`, the Job's `activeDeadlineSeconds`, counted like the SIGTERM from the load test's start. */
export const jobDeadlineMs = (durationMs: number): number => durationMs + Duration.toMillis(gracePeriod) + 1000
/** A run that cannot reach its endpoint must have ended by itself this soon after it started. */
export const failFastWithinMs = 1000

/** What the container is started with. */
export interface Settings {
  readonly endpoint: string
  readonly durationMs: number | undefined
}

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `--duration`, Go-style (`1500ms`, `2s`, `1m`), in milliseconds; a bare number is milliseconds. */
export const parseDuration = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (match === null) return undefined
  const ms = Math.round(Number(match[1]) * units[match[2] ?? "ms"]!)
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined
}

const usage = (option: string, value: unknown, expected: string) =>
  new Error(`--${option} ${String(value)}: expected ${expected}`)

export const durationOf = (args: Args): Effect.Effect<number | undefined, Error> => {
  const raw = args["duration"]
  if (raw === undefined) return Effect.succeed(undefined)
  const ms = typeof raw === "string" ? parseDuration(raw) : undefined
  return ms === undefined
    ? Effect.fail(usage("duration", raw, "a positive duration such as 1500ms or 2s"))
    : Effect.succeed(ms)
}

export const endpointOf = (args: Args): Effect.Effect<Endpoint.Kind, Error> => {
  const raw = args["endpoint"] ?? "ok"
  const kind = Endpoint.kinds.find((k) => k === raw)
  return kind === undefined ? Effect.fail(usage("endpoint", raw, Endpoint.kinds.join(" or "))) : Effect.succeed(kind)
}

/** The container's command line: its mode, and the settings it runs with. */
export const containerArgs = (mode: Mode, settings: Settings): ReadonlyArray<string> => [
  "--mode",
  mode,
  "--endpoint",
  settings.endpoint,
  ...(settings.durationMs === undefined ? [] : ["--duration", String(settings.durationMs)])
]

/** The settings the container was started with, read back by `container.ts`. */
export const settingsOf = (args: Args): Settings => ({
  endpoint: String(args["endpoint"]),
  durationMs: typeof args["duration"] === "string" ? Number(args["duration"]) : undefined
})

/**
 * The lines of the container's output a recording marks: its final stats, and the last words of its boundary —
 * the naive one's fatal line, `Main.run`'s summary line.
 */
export const markOf = (
  stream: "stdout" | "stderr",
  line: string
): { readonly name: string; readonly data?: Readonly<Record<string, string | number>> } | undefined => {
  if (stream === "stdout") {
    return line.includes(`message="${LoadGen.finalStatsMessage}"`) ? { name: "final stats" } : undefined
  }
  if (line.startsWith("fatal: ")) return { name: "fatal", data: { error: line.slice("fatal: ".length) } }
  if (!line.startsWith(`{"event":"exit"`)) return undefined
  try {
    const summary: unknown = JSON.parse(line)
    if (typeof summary !== "object" || summary === null) return undefined
    const { code, reason } = summary as Record<string, unknown>
    return typeof code === "number" && typeof reason === "string"
      ? { name: "exit summary", data: { code, reason } }
      : undefined
  } catch {
    return undefined
  }
}

const containerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "container.ts")

/** A run of the replay: the kubelet's view of the container, and the container's own output. */
export interface Ended {
  readonly figures: RunFigures
  readonly stdout: string
  readonly stderr: string
}

export const run = (mode: Mode, ctx: Context<RunFigures>): Effect.Effect<Ended, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const kind = yield* endpointOf(ctx.args)
    const durationMs = yield* durationOf(ctx.args)
    const endpoint = yield* Endpoint.start(kind)
    const sigtermAtMs = durationMs === undefined ? sigtermAfterMs : jobDeadlineMs(durationMs)
    const plan = { endpoint: kind, ...(durationMs === undefined ? {} : { durationMs }), sigtermAtMs, failFastWithinMs }
    ctx.record(plan)
    ctx.event("plan", {
      sigtermAtMs,
      terminationGracePeriodMs,
      gracePeriodMs: Duration.toMillis(gracePeriod),
      ...(durationMs === undefined ? {} : { durationMs })
    })
    const pod = yield* Kubelet.run({
      name: "loadgen",
      file: containerFile,
      args: containerArgs(mode, { endpoint: endpoint.url, durationMs }),
      readyText: LoadGen.startedMessage,
      sigtermAtMs,
      terminationGracePeriodMs,
      onEvent: (name, data) => ctx.event(name, data),
      onLine: (stream, line) => {
        const mark = markOf(stream, line)
        if (mark !== undefined) ctx.event(mark.name, mark.data)
      }
    }, (progress) =>
      ctx.record({
        sigtermSent: progress.sigtermSent,
        sigkillSent: progress.sigkillSent,
        ...(progress.readyAfterMs === undefined ? {} : { loadgenStartedAfterMs: progress.readyAfterMs })
      }))
    const finalStats = LoadGen.finalStatsOf(pod.stdout)
    const figures: RunFigures = {
      ...plan,
      ...(pod.readyAfterMs === undefined ? {} : { loadgenStartedAfterMs: pod.readyAfterMs }),
      loadgenExitedAfterMs: pod.exitedAfterMs,
      sigtermSent: pod.sigtermSent,
      ...(pod.sigtermToExitMs === undefined ? {} : { sigtermToExitMs: pod.sigtermToExitMs }),
      sigkillSent: pod.sigkillSent,
      loadgenExitCode: pod.exitCode,
      ...(pod.signal === undefined ? {} : { loadgenSignal: pod.signal }),
      ...(finalStats === undefined ? {} : { finalStats }),
      endpointRequests: endpoint.requests()
    }
    return { figures, stdout: pod.stdout, stderr: pod.stderr }
  })
