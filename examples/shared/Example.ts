/**
 * The harness every example runs under, so each replay is started, watched, judged and summarised the same
 * way: the lifecycle of a run (start, watchdog, summary, exit) lives here and nowhere else.
 *
 * An example has two modes: `--naive` reproduces the incident, the default mode runs the Lifeline fix. Each
 * mode starts its own environment and returns the run's figures, typed per example; the example's judge, a
 * pure function, turns those figures into the run's outcome. A watchdog ends a run that does not end by
 * itself (so a naive run that hangs, stalls or balloons still ends), and a run that fails in a way it did not
 * expect — an error from the mode, its environment or a stray callback — ends at once as `crashed`, with the
 * error on stderr. Every run ends by printing exactly one JSON summary line on stdout,
 * `{"example","mode","outcome","exitCode","wallMs","peakRssMb", …figures}`, and exiting with its code.
 *
 * A mode may also record how its run unfolds — `ctx.sample(series, value)` for a time series, `ctx.event(name,
 * data)` for a moment — for the charts of the docs; the harness adds the resident memory over time and how the
 * run ended. The recording is bounded in memory (`Recording.ts`) and written only with `--record <file>`,
 * never on stdout, which carries the summary line alone.
 */
import { Cause, Effect, Exit, type Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Mode, Name, Outcome } from "../incidents.ts"
import * as Recording from "./Recording.ts"

/** `--key value`, `--key=value` and `--flag` arguments. */
export type Args = Readonly<Record<string, string | true>>

export interface Context<F> {
  readonly mode: Mode
  readonly args: Args
  /** Records figures the summary carries even if the watchdog or a crash ends the run. */
  readonly record: (figures: Partial<F>) => void
  /** Highest resident set size seen so far, in MiB. */
  readonly peakRssMb: () => number
  /** Adds `value` to the time series `series`, stamped with the time since the run started. For the charts. */
  readonly sample: (series: string, value: number) => void
  /** Records that `name` happened now (since the run started), with a few flat fields. For the charts. */
  readonly event: (name: string, data?: Recording.EventData) => void
}

/** A mode: starts its environment in the scope, runs the replay, and returns its figures. */
export type Run<F> = (ctx: Context<F>) => Effect.Effect<F, unknown, Scope.Scope>

/** What the harness measures of every run, next to the example's own figures. */
export interface Measured {
  readonly wallMs: number
  readonly peakRssMb: number
}

/** Turns the figures of a run that ended by itself into its outcome. Pure. */
export type Judge<F> = (figures: F & Measured) => Outcome

export interface Watchdog {
  /** Wall time after which the run is ended and reported with `outcome`. */
  readonly afterMs: number
  /** Resident set size (MiB) above which the run is ended and reported as `oom`. */
  readonly maxRssMb?: number
  /** How a run ended by the time limit is reported. */
  readonly outcome: Outcome
}

export interface Definition<N extends object, L extends object, K extends string = Name> {
  readonly name: K
  readonly naive: Run<N>
  readonly lifeline: Run<L>
  readonly judge: { readonly naive: Judge<N>; readonly lifeline: Judge<L> }
  /** Every run has one: a run of either mode must end, whatever the code under test does. */
  readonly watchdog: { readonly naive: Watchdog; readonly lifeline: Watchdog }
}

/** How a run ended, as the summary's `watchdog` field says when a watchdog ended it. */
export type EndedBy = "itself" | "time" | "memory" | "crash"

/**
 * The exit code of a run: 0 when its outcome is `ok`, 1 when the judge found the failure the replay is
 * about, 124 when a watchdog ended it (as `timeout(1)` does), 70 when it crashed (as `@lifeline/exit` maps a
 * defect).
 */
export const exitCodeOf = (outcome: Outcome, endedBy: EndedBy): number =>
  endedBy === "crash" || outcome === "crashed"
    ? 70
    : endedBy === "time" || endedBy === "memory"
    ? 124
    : outcome === "ok"
    ? 0
    : 1

/** The summary line every run prints last. */
export interface Summary extends Measured {
  readonly example: string
  readonly mode: Mode
  readonly outcome: Outcome
  readonly exitCode: number
  /** Present when a watchdog ended the run. */
  readonly watchdog?: "time" | "memory"
  /** Present when the run crashed: the error, in one line. */
  readonly error?: string
}

/** What the harness needs from the process it runs in, so its lifecycle can be tested without one. */
export interface Host {
  readonly argv: ReadonlyArray<string>
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number
  /** Resident set size now, in bytes. */
  readonly rss: () => number
  /** The highest resident set size the OS has seen for the process, in bytes. */
  readonly maxRss: () => number
  readonly after: (ms: number, f: () => void) => void
  /** Calls `f` every `ms` without keeping the process alive. */
  readonly every: (ms: number, f: () => void) => void
  readonly stdout: (text: string, written: () => void) => void
  readonly stderr: (text: string) => void
  readonly exit: (code: number) => void
  /** Calls `f` with an error thrown or rejected outside the run: a stray callback of the environment. */
  readonly onStrayError: (f: (error: unknown) => void) => void
  /** Writes `text` to the file at `path`, creating its folder; throws if it cannot. */
  readonly writeFile: (path: string, text: string) => void
}

export const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const out: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith("--")) continue
    const eq = arg.indexOf("=")
    const next = argv[i + 1]
    if (eq !== -1) out[arg.slice(2, eq)] = arg.slice(eq + 1)
    else if (next !== undefined && !next.startsWith("--")) {
      out[arg.slice(2)] = next
      i++
    } else out[arg.slice(2)] = true
  }
  return out
}

/** An error in one line, for the summary (the full story goes to stderr). */
const oneLine = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.split("\n")[0]!.slice(0, 500)
}

const MiB = 1024 * 1024

/** Runs `definition` in the mode `host.argv` selects, then prints the summary and exits through `host`. */
export const start = <N extends object, L extends object, K extends string>(
  definition: Definition<N, L, K>,
  host: Host
): void => {
  const args = parseArgs(host.argv)
  if (args["naive"] === true) {
    go(definition.name, "naive", args, definition.naive, definition.judge.naive, definition.watchdog.naive, host)
  } else {
    go(
      definition.name,
      "lifeline",
      args,
      definition.lifeline,
      definition.judge.lifeline,
      definition.watchdog.lifeline,
      host
    )
  }
}

const go = <F extends object>(
  name: string,
  mode: Mode,
  args: Args,
  run: Run<F>,
  judge: Judge<F>,
  watchdog: Watchdog,
  host: Host
): void => {
  const started = host.now()
  const figures: Partial<F> = {}
  const recorder = Recording.make()
  const sinceStart = () => host.now() - started
  // When the mode returned its figures: what happens after it is the scope closing.
  let returned: number | undefined
  let peakRss = host.rss()
  const sampleRss = () => {
    peakRss = Math.max(peakRss, host.rss())
    return peakRss
  }
  const peakRssMb = () => Math.round(Math.max(sampleRss(), host.maxRss()) / MiB)
  const measured = (): Measured => ({ wallMs: Math.round(host.now() - started), peakRssMb: peakRssMb() })

  let finished = false
  const finish = (outcome: Outcome, endedBy: EndedBy, extra: Partial<F> = {}, error?: string) => {
    if (finished) return
    finished = true
    const exitCode = exitCodeOf(outcome, endedBy)
    const base = {
      example: name,
      mode,
      outcome,
      exitCode,
      ...measured(),
      ...(endedBy === "time" || endedBy === "memory" ? { watchdog: endedBy } : {}),
      ...(error === undefined ? {} : { error })
    }
    // Figures come after the fixed fields, and can never overwrite them.
    const summary = { ...base, ...figures, ...extra, ...base }
    const file = args["record"]
    if (file !== undefined) {
      recorder.sample("rssMb", host.rss() / MiB, sinceStart())
      const recording: Recording.Recording = {
        format: 1,
        example: name,
        mode,
        args: Recording.argsWithoutRecord(host.argv),
        watchdog,
        end: {
          t: Math.round(sinceStart()),
          ...(returned === undefined ? {} : { returned: Math.round(returned) }),
          outcome,
          exitCode,
          endedBy
        },
        summary,
        series: recorder.series(),
        events: recorder.events(),
        dropped: recorder.dropped()
      }
      try {
        if (file === true) throw new Error("--record needs a file: --record <file>")
        host.writeFile(file, Recording.toJson(recording))
      } catch (error) {
        // The run's verdict stands; the missing recording is the caller's to notice (`pnpm demo --record` does).
        host.stderr(`${name} (${mode}): the recording was not written: ${oneLine(error)}\n`)
      }
    }
    host.stdout(JSON.stringify(summary) + "\n", () => host.exit(exitCode))
  }
  const crash = (story: string, error: unknown) => {
    if (finished) return
    host.stderr(`${name} (${mode}) crashed: ${story}\n`)
    finish("crashed", "crash", {}, oneLine(error))
  }

  host.onStrayError((error) =>
    crash(error instanceof Error && error.stack !== undefined ? error.stack : String(error), error)
  )
  host.after(watchdog.afterMs, () => finish(watchdog.outcome, "time"))
  if (watchdog.maxRssMb !== undefined) {
    const limit = watchdog.maxRssMb * MiB
    host.every(50, () => {
      const peak = sampleRss()
      recorder.sample("rssMb", host.rss() / MiB, sinceStart())
      if (peak > limit) finish("oom", "memory")
    })
  }
  recorder.sample("rssMb", peakRss / MiB, 0)
  host.every(100, () => {
    sampleRss()
    recorder.sample("rssMb", host.rss() / MiB, sinceStart())
  })

  const ctx: Context<F> = {
    mode,
    args,
    record: (f) => Object.assign(figures, f),
    peakRssMb,
    sample: (series, value) => recorder.sample(series, value, sinceStart()),
    event: (eventName, data) => recorder.event(eventName, data, sinceStart())
  }
  const returning = Effect.sync(() => void (returned = sinceStart()))
  Effect.runPromiseExit(Effect.scoped(Effect.suspend(() => run(ctx)).pipe(Effect.zipLeft(returning)))).then((exit) => {
    if (Exit.isFailure(exit)) return crash(Cause.pretty(exit.cause), Cause.squash(exit.cause))
    let outcome: Outcome
    try {
      outcome = judge({ ...exit.value, ...measured() })
    } catch (error) {
      return crash(error instanceof Error && error.stack !== undefined ? error.stack : String(error), error)
    }
    finish(outcome, "itself", exit.value)
  }, (error: unknown) => crash(String(error), error))
}

/** The host of a real run: this process. */
export const processHost = (): Host => ({
  argv: process.argv.slice(2),
  now: () => performance.now(),
  rss: () => process.memoryUsage.rss(),
  maxRss: () => process.resourceUsage().maxRSS * 1024,
  after: (ms, f) => void setTimeout(f, ms),
  every: (ms, f) => void setInterval(f, ms).unref(),
  stdout: (text, written) => void process.stdout.write(text, () => written()),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
  onStrayError: (f) => {
    process.on("uncaughtException", f)
    process.on("unhandledRejection", f)
  },
  writeFile: (file, text) => {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    fs.writeFileSync(file, text)
  }
})

/**
 * Runs an example as a process: picks the mode from the command line, arms the watchdog, judges the run,
 * prints the summary line and exits with the run's code. Exiting explicitly is part of the replay: a leaked
 * handle must not be able to keep the harness alive once the result is known.
 */
export const main = <N extends object, L extends object>(definition: Definition<N, L>): void =>
  start(definition, processHost())
