/**
 * The harness every example runs under, so each replay is started, watched and summarised the same way.
 *
 * An example has two modes: `--naive` reproduces the incident, the default mode runs the Lifeline fix.
 * Both run against an environment the example starts itself, under a watchdog (so a naive run that hangs,
 * stalls or balloons still ends), and both end by printing exactly one JSON summary line on stdout:
 * `{"example","mode","outcome","exitCode","wallMs","peakRssMb", …figures}`.
 */
import { Cause, Effect, Exit, Scope } from "effect"

/** The word a run ends with. Naive runs are expected to show their incident's word. */
export type Outcome = "ok" | "hung" | "stalled" | "oom" | "wrong-exit-code" | "lost-logs" | "fabricated-lines"

export type Mode = "naive" | "lifeline"

/** What a mode reports when it ends by itself. */
export interface Result {
  readonly outcome: Outcome
  /** The code the process exits with. Default 0. */
  readonly exitCode?: number
  /** Example-specific figures, merged into the summary line. */
  readonly figures?: Record<string, unknown>
}

export interface Context {
  readonly mode: Mode
  /** `--key value` and `--flag` arguments after the mode flag. */
  readonly args: Readonly<Record<string, string | true>>
  /** Records figures that the summary should carry even if the watchdog ends the run. */
  readonly record: (figures: Record<string, unknown>) => void
  /** Highest resident set size seen so far, in MiB. */
  readonly peakRssMb: () => number
}

export interface Watchdog {
  /** Wall time after which the run is ended and reported with `outcome`. */
  readonly afterMs: number
  /** Resident set size (MiB) above which the run is ended and reported as `oom`. */
  readonly maxRssMb?: number
  /** How a run ended by the time limit is reported. */
  readonly outcome: Outcome
  /** Exit code used when the watchdog ends the run. Default 124, as `timeout(1)`. */
  readonly exitCode?: number
}

export interface Definition {
  readonly name: string
  readonly naive: (ctx: Context) => Effect.Effect<Result, unknown, Scope.Scope>
  readonly lifeline: (ctx: Context) => Effect.Effect<Result, unknown, Scope.Scope>
  /** Watchdog per mode; a mode without one runs until it ends. */
  readonly watchdog: { readonly naive?: Watchdog; readonly lifeline?: Watchdog }
}

const parseArgs = (argv: ReadonlyArray<string>): Record<string, string | true> => {
  const out: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith("--")) continue
    const [key, inline] = arg.slice(2).split("=", 2) as [string, string | undefined]
    const next = argv[i + 1]
    if (inline !== undefined) out[key] = inline
    else if (next !== undefined && !next.startsWith("--")) {
      out[key] = next
      i++
    } else out[key] = true
  }
  return out
}

/**
 * Runs an example as a process: picks the mode from `process.argv`, arms the watchdog, prints the summary
 * line and exits with the reported code. Exiting explicitly is part of the replay: a leaked handle must not
 * be able to keep the harness alive once the result is known.
 */
export const main = (definition: Definition): void => {
  const args = parseArgs(process.argv.slice(2))
  const mode: Mode = args["naive"] === true ? "naive" : "lifeline"
  const started = performance.now()
  const figures: Record<string, unknown> = {}
  let peakRss = process.memoryUsage.rss()
  const sampleRss = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
    return peakRss
  }
  const peakRssMb = () => Math.round(Math.max(sampleRss(), process.resourceUsage().maxRSS * 1024) / 1048576)
  let finished = false
  const finish = (outcome: Outcome, exitCode: number, extra?: Record<string, unknown>) => {
    if (finished) return
    finished = true
    const summary = {
      example: definition.name,
      mode,
      outcome,
      exitCode,
      wallMs: Math.round(performance.now() - started),
      peakRssMb: peakRssMb(),
      ...figures,
      ...extra
    }
    process.stdout.write(JSON.stringify(summary) + "\n", () => process.exit(exitCode))
  }

  const watchdog = definition.watchdog[mode]
  if (watchdog !== undefined) {
    const code = watchdog.exitCode ?? 124
    setTimeout(() => finish(watchdog.outcome, code, { watchdog: "time" }), watchdog.afterMs)
    if (watchdog.maxRssMb !== undefined) {
      const limit = watchdog.maxRssMb * 1048576
      const timer = setInterval(() => {
        if (sampleRss() > limit) finish("oom", code, { watchdog: "memory" })
      }, 50)
      timer.unref()
    }
  }
  const sampler = setInterval(sampleRss, 100)
  sampler.unref()

  const ctx: Context = { mode, args, record: (f) => Object.assign(figures, f), peakRssMb }
  const program = Effect.scoped(definition[mode](ctx))
  Effect.runPromiseExit(program).then((exit) => {
    if (Exit.isSuccess(exit)) finish(exit.value.outcome, exit.value.exitCode ?? 0, exit.value.figures)
    else {
      process.stderr.write(Cause.pretty(exit.cause) + "\n")
      finish("ok", 1, { error: "the example itself failed" })
    }
  })
}
