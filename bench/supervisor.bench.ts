/**
 * @lifeline/supervisor: what a supervised periodic loop costs per iteration next to a bare
 * `Effect.repeat(job, Schedule.fixed(every))`, and how quickly a keep-alive child is restarted next to the
 * delay its schedule asks for.
 *
 * Per-iteration cost is measured in real time with a 1 ms period and `overrun: "run-late"` (the policy of
 * `Schedule.fixed`), over a fixed window: wall time per iteration is what the cadence costs, CPU time per
 * iteration is the pure overhead (the supervised loop adds a `Deadline.within` per run, health bookkeeping
 * and metrics). A TestClock-driven count would measure the TestClock, not the loops.
 *
 * Scaling: CPU per run with 1 and 1 000 periodic children sharing the same number of runs a second, and the
 * heap each periodic child retains.
 */
import { Supervisor } from "@lifeline/supervisor"
import { retainedHeapBytes } from "@lifeline/test-kit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { atMost, type Comparison, scaled, type Scaling, type Suite } from "./harness.ts"

const EVERY_MS = 1
const WINDOW_MS = 250
const RESTART_DELAY_MS = 20
const RESTARTS = 10

interface LoopSample {
  readonly iterations: number
  readonly wallMs: number
  readonly cpuMicros: number
}

const quiet = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(
    effect.pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
  )

/** Runs a loop built by `start` for WINDOW_MS of real time and reports its iterations and costs. */
const sample = (
  start: (job: Effect.Effect<void>) => Effect.Effect<void, never, Scope.Scope>
): Promise<LoopSample> =>
  quiet(Effect.scoped(Effect.gen(function* () {
    let iterations = 0
    const job = Effect.sync(() => {
      iterations++
    })
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    yield* start(job)
    yield* Effect.sleep(WINDOW_MS)
    const wallMs = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    return {
      iterations: Math.max(1, iterations),
      wallMs,
      cpuMicros: cpu.user + cpu.system
    }
  })))

const bare = (job: Effect.Effect<void>) =>
  Effect.asVoid(
    Effect.forkScoped(Effect.repeat(job, Schedule.fixed(EVERY_MS)))
  )

const bareWithTimeout = (job: Effect.Effect<void>) =>
  Effect.asVoid(
    Effect.forkScoped(
      Effect.repeat(Effect.timeout(job, "1 second"), Schedule.fixed(EVERY_MS))
    )
  )

const supervised = (job: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const sup = yield* Supervisor.make({ name: "bench" })
    yield* Supervisor.periodic(sup, "job", job, {
      every: EVERY_MS,
      timeout: "1 second",
      overrun: "run-late"
    })
  }).pipe(Effect.orDie)

const wallPerIteration = async (start: Parameters<typeof sample>[0]) => {
  const s = await sample(start)
  return s.wallMs / s.iterations
}
const cpuPerIteration = async (start: Parameters<typeof sample>[0]) => {
  const s = await sample(start)
  return s.cpuMicros / s.iterations
}

/** Real time from a keep-alive child's end to its next start, median of RESTARTS restarts. */
const restartLatency = (): Promise<number> =>
  quiet(Effect.scoped(Effect.gen(function* () {
    const starts: Array<number> = []
    const ends: Array<number> = []
    const sup = yield* Supervisor.make({ name: "bench-restart" })
    yield* Supervisor.keepAlive(
      sup,
      "crasher",
      Effect.suspend(() => {
        starts.push(performance.now())
        ends.push(performance.now())
        return Effect.fail("crash")
      }),
      { restart: Schedule.spaced(RESTART_DELAY_MS) }
    ).pipe(Effect.orDie)
    while (starts.length <= RESTARTS) yield* Effect.sleep(RESTART_DELAY_MS)
    const latencies = starts.slice(1, RESTARTS + 1).map((t, i) => t - ends[i]!)
    return median(latencies)
  })))

/** Real duration of a bare `Effect.sleep` of the same delay: the floor of any restart latency here. */
const sleepLatency = (): Promise<number> =>
  quiet(Effect.gen(function* () {
    const latencies: Array<number> = []
    for (let i = 0; i < RESTARTS; i++) {
      const t0 = performance.now()
      yield* Effect.sleep(RESTART_DELAY_MS)
      latencies.push(performance.now() - t0)
    }
    return median(latencies)
  }))

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

// --- scaling -----------------------------------------------------------------------------------------------

/**
 * The children of the CPU series share 1 000 runs a second between them (1 child every 1 ms, 1 000 children
 * every second each, their phases spread over the period), so that every size measures the same number of runs
 * and only the number of children changes.
 */
const RUNS_PER_SECOND = 1_000
const CHILD_WINDOW_MS = scaled(2_000, 200)

/** Unique child names per measurement: a new child's metric series are part of what it costs. */
let generation = 0

/** CPU time per periodic run with `children` periodic children, over a window of real time. */
const cpuPerRunWith = (children: number): Promise<number> =>
  quiet(Effect.scoped(Effect.gen(function* () {
    const g = generation++
    const everyMs = (children * 1000) / RUNS_PER_SECOND
    let runs = 0
    const job = Effect.sync(() => {
      runs++
    })
    const sup = yield* Supervisor.make({ name: `bench-cpu-${g}` })
    for (let k = 0; k < children; k++) {
      yield* Supervisor.periodic(sup, `child-${k}`, job, { every: everyMs, timeout: "1 second", overrun: "run-late" })
        .pipe(Effect.orDie)
      if (children > 1) yield* Effect.sleep(everyMs / children)
    }
    // Start-up is not the steady state: measure from one period after the last child started.
    yield* Effect.sleep(everyMs)
    const runs0 = runs
    const cpu0 = process.cpuUsage()
    yield* Effect.sleep(CHILD_WINDOW_MS)
    const cpu = process.cpuUsage(cpu0)
    return (cpu.user + cpu.system) / Math.max(1, runs - runs0)
  })))

/**
 * Retained heap per periodic child: the heap after adding one idle child (a run at start, then asleep for an
 * hour) to each of 1 000 / `children` supervisors, minus the heap of those supervisors alone, divided by the
 * 1 000 children added either way. 1 child per supervisor and 1 000 under one are the same number of children.
 */
const bytesPerChildWith = (children: number): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const g = generation++
      const total = scaled(1_000, 10)
      const perSupervisor = Math.min(children, total)
      const supervisors = Math.max(1, Math.floor(total / perSupervisor))
      const scope = yield* Scope.make()
      const sups = yield* Effect.forEach(
        Array.from({ length: supervisors }, (_, k) => k),
        (k) => Scope.extend(Supervisor.make({ name: `bench-heap-${g}-${k}` }), scope)
      )
      const job = Effect.void
      const before = retainedHeapBytes()
      for (const sup of sups) {
        for (let k = 0; k < perSupervisor; k++) {
          yield* Supervisor.periodic(sup, `child-${k}`, job, { every: "1 hour", timeout: "1 second" }).pipe(
            Effect.orDie
          )
        }
      }
      yield* Effect.sleep(10)
      const after = retainedHeapBytes()
      yield* Scope.close(scope, Exit.void)
      return (after - before) / (supervisors * perSupervisor)
    }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
  )

const scaling = (): ReadonlyArray<Scaling> => [
  {
    name: `periodic CPU per run, ${RUNS_PER_SECOND} runs/s shared by all children`,
    unit: "µs/run",
    sizeLabel: "children",
    sizes: [1, scaled(1_000, 10)],
    measure: cpuPerRunWith
  },
  {
    name: "retained heap per periodic child",
    unit: "bytes/child",
    sizeLabel: "children per supervisor",
    sizes: [1, scaled(1_000, 10)],
    measure: bytesPerChildWith
  }
]

const suite: Suite = {
  name: "supervisor",
  scaling,
  comparisons: (): ReadonlyArray<Comparison> => [
    {
      name: `periodic wall time per iteration (every ${EVERY_MS} ms)`,
      unit: "ms/iter",
      baseline: {
        label: "Effect.repeat(Schedule.fixed)",
        run: () => wallPerIteration(bare)
      },
      subject: {
        label: "Supervisor.periodic",
        run: () => wallPerIteration(supervised)
      },
      higherIsBetter: false,
      target: atMost(1.2)
    },
    {
      name: `periodic CPU per iteration (every ${EVERY_MS} ms)`,
      unit: "µs/iter",
      baseline: {
        label: "Effect.repeat(Schedule.fixed)",
        run: () => cpuPerIteration(bare)
      },
      subject: {
        label: "Supervisor.periodic",
        run: () => cpuPerIteration(supervised)
      },
      higherIsBetter: false
    },
    {
      name: `periodic CPU per iteration vs a bounded bare loop (every ${EVERY_MS} ms)`,
      unit: "µs/iter",
      baseline: {
        label: "repeat(Effect.timeout(job))",
        run: () => cpuPerIteration(bareWithTimeout)
      },
      subject: {
        label: "Supervisor.periodic",
        run: () => cpuPerIteration(supervised)
      },
      higherIsBetter: false,
      target: atMost(1.1)
    },
    {
      name: `keep-alive restart latency (schedule ${RESTART_DELAY_MS} ms)`,
      unit: "ms",
      baseline: {
        label: `Effect.sleep(${RESTART_DELAY_MS} ms)`,
        run: sleepLatency
      },
      subject: { label: "end → restart", run: restartLatency },
      higherIsBetter: false,
      target: atMost(1.5)
    }
  ]
}

export default suite
