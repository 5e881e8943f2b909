/**
 * The one list of Lifeline's incidents and packages. `pnpm demo`, the examples' tests, the README's tables
 * and the docs' incident index all read it, so a replay, its expected results and its description are
 * written once.
 *
 * Each incident says what happened, what its replay shows in each mode, which packages answer it, whether
 * its replay exists yet, and the `(outcome, exitCode)` every run of the replay is expected to end with —
 * the naive run, the Lifeline run, and any variant the demo also runs.
 */

/** The word a run of an example ends with (the `outcome` of its summary line). */
export const outcomes = [
  "ok",
  "hung",
  "stalled",
  "oom",
  "wrong-exit-code",
  "lost-logs",
  "fabricated-lines",
  "crashed"
] as const

export type Outcome = (typeof outcomes)[number]

/** `--naive` reproduces the incident; the default mode runs the Lifeline fix. */
export type Mode = "naive" | "lifeline"

/** What a run must end with: the demo judges a run by both together. */
export interface Expected {
  readonly outcome: Outcome
  readonly exitCode: number
}

/** One run the demo makes of a replay. */
export interface Run {
  /** `naive`, `lifeline`, or the variant's label. */
  readonly label: string
  readonly mode: Mode
  /** The arguments after `main.ts`. */
  readonly args: ReadonlyArray<string>
  /** What the run shows, in a few words. */
  readonly shows: string
  readonly expected: Expected
}

export type PackageName = "deadline" | "queue" | "supervisor" | "exit" | "death-log" | "fault"

export interface Package {
  /** The folder under `packages/`; the npm name is `@lifeline/<name>`. */
  readonly name: PackageName
  readonly pattern: string
  /** What its guide gives a user, in a sentence naming the main exports. */
  readonly gives: string
  /** A test kit every replay uses, rather than the answer to one incident. */
  readonly testKit: boolean
  /** Whether `packages/<name>` exists yet. */
  readonly available: boolean
}

export interface Incident {
  /** The replay's folder under `examples/`, and the incident page under `docs/incidents/`. */
  readonly name: string
  /** The post-mortem it starts from (`../shared/seeds/`). */
  readonly seed: string
  /** One line: what went wrong. */
  readonly title: string
  /** What happened, in a short paragraph. */
  readonly incident: string
  /** The Lifeline pattern that answers it. */
  readonly pattern: string
  readonly packages: ReadonlyArray<PackageName>
  /** Whether `examples/<name>` exists yet. */
  readonly replay: "ready" | "to come"
  readonly naive: { readonly shows: string; readonly expected: Expected }
  readonly lifeline: { readonly shows: string; readonly expected: Expected }
  /** Further runs of the replay, each with its own arguments. */
  readonly variants: ReadonlyArray<Run>
}

const ok: Expected = { outcome: "ok", exitCode: 0 }

export const packages = [
  {
    name: "deadline",
    pattern: "timeouts tied to interruption, with budgets inherited by nested work",
    gives:
      "`Deadline.within`: timeouts that end the work, one budget shared by nested work, a grace period after which work that ignores interruption is abandoned and counted; `tryPromise` and `httpClient` that abort real I/O; the shared `Options`, `Metrics` and `Monotonic` modules",
    testKit: false,
    available: true
  },
  {
    name: "queue",
    pattern: "bounded dropping queue, line-safe byte buffer, best-effort batch shipper, dual-write logger",
    gives:
      "`DroppingQueue` (never blocks, counts every drop), `LineBuffer` (bounded, never fabricates a line), `Shipper` (batches, bounded sends and flush), `DualWriteLogger`",
    testKit: false,
    available: true
  },
  {
    name: "supervisor",
    pattern:
      "scoped supervisors: periodic loops and keep-alive children with restart schedules, restart intensity, progress-based health",
    gives:
      "scoped supervisors: periodic children with a deadline per run and counted missed ticks, keep-alive children with restart schedules and intensity, `/healthz` that reflects progress",
    testKit: false,
    available: true
  },
  {
    name: "exit",
    pattern: "process boundary: exit-code policy, signals, grace period with force exit, run duration",
    gives:
      "`Main.run`: signals handled before the program starts, a grace period with force exit, a run duration, exit after success; `Main.exitCode`, the pure policy; `/readyz` that turns 503 when shutdown starts",
    testKit: false,
    available: true
  },
  {
    name: "death-log",
    pattern: "bounded log tail of a child or fiber, captured and re-emitted once on abnormal end",
    gives:
      "`LogTail` (the last lines of a stream, bounded in lines and bytes) and `DeathLog` (`spawn` a child and report its tail once when it dies abnormally; `guard` for fibers)",
    testKit: false,
    available: true
  },
  {
    name: "fault",
    pattern: "test kit: loopback servers that misbehave on purpose (blackhole, silent, slow, reset, flaky, refused)",
    gives:
      "a test kit: loopback servers that misbehave on purpose (silent, slow, flaky, reset, blackhole, refused) and record what the client did",
    testKit: true,
    available: true
  }
] as const satisfies ReadonlyArray<Package>

export const incidents = [
  {
    name: "runner-shutdown-hang",
    seed: "000",
    title: "a runner hangs at shutdown behind a log stream whose peer stopped reading",
    incident: "A job runner finished its work and logged success, then did not exit. Its shutdown flushed the log " +
      "stream, and the flush waited on a background loop that was blocked handing entries to a stream whose peer " +
      "accepted the TCP connection but stopped reading. The pod stayed up until the TCP timeout.",
    pattern: "a bounded queue whose offer never blocks (it drops and counts), and a flush with a deadline",
    packages: ["queue", "deadline", "exit"],
    replay: "ready",
    naive: {
      shows: 'hangs after "execution completed" until its watchdog ends it',
      expected: { outcome: "hung", exitCode: 124 }
    },
    lifeline: { shows: "exits 0 within the flush deadline and counts the entries it dropped", expected: ok },
    variants: []
  },
  {
    name: "patrol-loop-stall",
    seed: "001",
    title: "a patrol loop stalls on a half-open connection while health stays green",
    incident: "A periodic sweep used a context without a deadline and hung on a half-open HTTP connection. The " +
      "loop stopped scheduling, logged nothing, and the liveness check, which only proved the process answered " +
      "HTTP, stayed green for hours.",
    pattern: "a deadline on every run, failures logged with their cause and survived, restarts with back-off, and " +
      "health that reflects progress",
    packages: ["deadline", "supervisor"],
    replay: "ready",
    naive: {
      shows: "a sweep hangs on an API that never answers, ticks are lost, `/healthz` still answers 200",
      expected: { outcome: "stalled", exitCode: 1 }
    },
    lifeline: { shows: "every sweep bounded, a defect logged and survived, `/healthz` 200 throughout", expected: ok },
    variants: [
      {
        label: "wedge",
        mode: "lifeline",
        args: ["--wedge"],
        shows: "a sweep wedged in uninterruptible code: the loop keeps ticking and `/healthz` turns 503",
        expected: ok
      }
    ]
  },
  {
    name: "loadgen-exit-code",
    seed: "002",
    title: "a load generator exits 1 on every graceful SIGTERM",
    incident: "A load generator exited 1 after every graceful SIGTERM: background tasks returned their " +
      "cancellation as an error, and the first error reached a fatal log at the top. Separately, the Job's own " +
      "deadline marked healthy runs as failed. The fix treats cancellation as a normal end at the process " +
      "boundary and adds a run duration so the job ends before the Job deadline.",
    pattern: "an exit-code policy at the process boundary, signal handling, a run duration",
    packages: ["exit"],
    replay: "ready",
    naive: {
      shows: "SIGTERM 1.5 s into the load test: final stats printed, then `fatal: …: context canceled` and exit 1",
      expected: { outcome: "wrong-exit-code", exitCode: 1 }
    },
    lifeline: {
      shows: "the same SIGTERM: final stats printed, then exit 0 (reason `signal`) within a few tens of ms",
      expected: ok
    },
    variants: [
      {
        label: "naive-duration",
        mode: "naive",
        args: ["--naive", "--duration", "1500ms"],
        shows: "the run's own duration ends it: `context deadline exceeded`, exit 1 all the same",
        expected: { outcome: "wrong-exit-code", exitCode: 1 }
      },
      {
        label: "duration",
        mode: "lifeline",
        args: ["--duration", "1500ms"],
        shows: "`runFor`: ends by itself before the Job's deadline, final stats printed, exit 0 (reason `duration`)",
        expected: ok
      },
      {
        label: "refused",
        mode: "lifeline",
        args: ["--endpoint", "refused"],
        shows: "nothing listens at the endpoint: the load generator exits 1 (reason `failed`) within a second, " +
          "before any SIGTERM — the verdict the replay expects",
        expected: ok
      }
    ]
  },
  {
    name: "runner-death-log",
    seed: "003",
    title: "a killed runner's last log lines vanish",
    incident: "A CI runner died mid-job, and its last log lines were lost when the pod was deleted, before the log " +
      "collector picked them up. The fix has the controller read the dead runner's log tail, bounded in lines and " +
      "bytes, only for abnormal ends, once per death, and re-emit it on its own output.",
    pattern: "a bounded log tail, captured and re-emitted once on abnormal end",
    packages: ["death-log"],
    replay: "ready",
    naive: {
      shows: "a runner killed mid-job leaves no trail once reaped",
      expected: { outcome: "lost-logs", exitCode: 1 }
    },
    lifeline: {
      shows: "its last 200 lines / 64 KiB are re-emitted once, and nothing for clean exits",
      expected: ok
    },
    variants: []
  },
  {
    name: "log-shipper-oom",
    seed: "004",
    title: "log shipping inside the drain loop OOMs a runner behind a slow API",
    incident: "A runner shipped logs synchronously inside its drain loop, so a slow API stalled draining and the " +
      "buffers grew until the pod was OOM-killed. The fix bounded the buffers and moved shipping to a background " +
      "worker; review found the final flush could still block forever, truncation could fabricate log lines, and " +
      'zero silently meant "unbounded".',
    pattern: "a bounded queue, a line-safe byte buffer, a best-effort batch shipper with a bounded flush",
    packages: ["queue", "deadline"],
    replay: "ready",
    naive: {
      shows: "memory climbs until its watchdog, and the API receives lines the job never wrote",
      expected: { outcome: "oom", exitCode: 124 }
    },
    lifeline: { shows: "memory under the formula, a bounded flush, no fabricated line", expected: ok },
    variants: []
  }
] as const satisfies ReadonlyArray<Incident>

/** The name of an incident, and of its replay's folder. */
export type Name = (typeof incidents)[number]["name"]

/** The incident named `name`. */
export const incident = (name: Name): Incident => incidents.find((i) => i.name === name)!

/** Every run the demo makes of a replay: naive, Lifeline, then the variants. */
export const runsOf = (incident: Incident): ReadonlyArray<Run> => [
  { label: "naive", mode: "naive", args: ["--naive"], ...incident.naive },
  { label: "lifeline", mode: "lifeline", args: [], ...incident.lifeline },
  ...incident.variants
]

/** The expected end of the run labelled `label` (`naive`, `lifeline` or a variant) of replay `name`. */
export const expected = (name: Name, label: string): Expected => {
  const run = runsOf(incident(name)).find((r) => r.label === label)
  if (run === undefined) throw new Error(`${name} has no run labelled ${label}`)
  return run.expected
}

/** Incidents whose replay is not written yet. */
export const toCome = (): ReadonlyArray<Incident> => {
  // The general type: once every replay is ready, the list's literal types leave nothing to compare with "to come".
  const all: ReadonlyArray<Incident> = incidents
  return all.filter((i) => i.replay === "to come")
}
