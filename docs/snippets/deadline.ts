/**
 * The code of the `@lifeline/deadline` guide (`docs/guide/deadline.md`), one region per snippet. The file is
 * typechecked with the project, so the guide cannot drift from the API. Names declared below the imports stand
 * for the reader's own code.
 */
// #region import
import { Deadline } from "@lifeline/deadline"
// #endregion import
import { HttpClient } from "@effect/platform"
import { Metrics, Monotonic, Options } from "@lifeline/deadline"
import { Data, Duration, Effect, Option } from "effect"

declare const url: string
declare const flushLogs: Effect.Effect<void>
declare const callApi: (page: number) => Effect.Effect<string>
declare const agents: ReadonlyArray<string>
declare const collect: (agent: string) => Effect.Effect<void>
declare const fetchNextPage: Effect.Effect<void>
declare const runJob: Effect.Effect<void>
class FetchFailed extends Data.TaggedError("FetchFailed")<{ readonly cause: unknown }> {}

// #region timeout-waits
const flush = Effect.sleep("30 seconds").pipe(Effect.uninterruptible)

// Returns after 30 seconds, not 1.
export const waitsForTheFlush = flush.pipe(Effect.timeout("1 second"))
// #endregion timeout-waits

// #region timeout-in-finalizer
export const shutdownHangs = Effect.scoped(
  Effect.addFinalizer(() =>
    // Runs inside a finalizer: uninterruptible, so the timeout waits for the whole flush.
    flushLogs.pipe(Effect.timeout("5 seconds"), Effect.ignore)
  )
)
// #endregion timeout-in-finalizer

// #region signal-only-if-declared
// Times out after 2 s, but the socket stays open until the server answers — or forever.
export const leaky = Effect.tryPromise(() => fetch(url)).pipe(Effect.timeout("2 seconds"))

// Aborted on timeout: the function declares `signal` and passes it on.
export const released = Effect.tryPromise((signal) => fetch(url, { signal })).pipe(Effect.timeout("2 seconds"))
// #endregion signal-only-if-declared

// #region nested-timeouts
const fetchPage = (n: number) => callApi(n).pipe(Effect.timeout("10 seconds"))

// The sweep has 15 seconds in all; each page still believes it has 10 of its own,
// and a retry policy inside cannot tell that only 1 second is left.
export const sweepWithTimeouts = Effect.forEach([1, 2, 3], fetchPage).pipe(Effect.timeout("15 seconds"))
// #endregion nested-timeouts

// #region within
export const sweep = Effect.forEach(agents, collect).pipe(
  Deadline.within("30 seconds", { label: "patrol sweep" })
)
// #endregion within

// #region within-finalizer
export const boundedShutdown = Effect.scoped(
  Effect.addFinalizer(() => flushLogs.pipe(Deadline.within("5 seconds", { label: "log flush" }), Effect.ignore))
)
// #endregion within-finalizer

// #region catch-exceeded
export const guarded = sweep.pipe(
  Effect.catchTag("DeadlineExceeded", (e) =>
    Effect.logWarning("sweep cut short").pipe(
      Effect.annotateLogs({ label: e.label, inherited: e.inherited, abandoned: e.abandoned })
    ))
)
// #endregion catch-exceeded

// #region remaining
export const step = Effect.gen(function* () {
  const left = yield* Deadline.remaining
  if (Option.isSome(left) && Duration.lessThan(left.value, Duration.seconds(2))) {
    return yield* Effect.logInfo("not enough time left for another page")
  }
  yield* fetchNextPage
})
// #endregion remaining

// #region try-promise
export const statusPage = Deadline.tryPromise(
  (signal) => fetch(url, { signal }).then((response) => response.text()),
  { budget: "2 seconds", label: "fetch status", catch: (cause) => new FetchFailed({ cause }) }
)
// #endregion try-promise

// #region try-promise-inherited
// No budget of its own: bounded by the job's deadline, and named "final report" in errors and metrics.
const sendReport = Deadline.tryPromise((signal) => fetch(url, { method: "POST", signal }), { label: "final report" })

export const job = Effect.scoped(
  Effect.gen(function* () {
    // Effect runs finalizers uninterruptibly; the report's signal still fires when the job's deadline passes.
    yield* Effect.addFinalizer(() => Effect.ignore(sendReport))
    yield* runJob
  })
).pipe(Deadline.within("10 minutes", { label: "job" }))
// #endregion try-promise-inherited

// #region http-client
export const collectAlerts = Effect.gen(function* () {
  const client = (yield* HttpClient.HttpClient).pipe(Deadline.httpClient({ budget: "10 seconds" }))
  // Labelled "http GET" in errors, logs and metrics: the method, never the URL.
  const response = yield* client.get("http://127.0.0.1:8080/alerts")
  return yield* response.json
}).pipe(Deadline.within("30 seconds", { label: "collect alerts" }))
// #endregion http-client

// #region detach
export const startFlusher = (flushForever: Effect.Effect<never>) =>
  // Not cut by the deadline of whoever happened to call the constructor.
  Effect.forkScoped(Deadline.detach(flushForever))
// #endregion detach

// #region options
export const makeBatcher = (options: { readonly capacity: number; readonly linger: Duration.DurationInput }) =>
  Effect.gen(function* () {
    // Each check is an Either, so it yields in Effect.gen: the first bad option fails with InvalidOptions.
    const capacity = yield* Options.positiveInteger("capacity", options.capacity)
    const linger = yield* Options.positiveDuration("linger", options.linger)
    return { capacity, linger }
  })

// Fails with InvalidOptions: "capacity: must be a whole number ≥ 1 (got 0)"
export const rejected = makeBatcher({ capacity: 0, linger: "200 millis" })
// #endregion options

// #region metrics
const droppedTotal = Metrics.counter("lifeline_example_dropped_total", "Items dropped because the buffer was full")

export const makeBuffer = (name: string, capacity: number) => {
  // One series per buffer, tagged with the name its owner chose, resolved once: counting allocates nothing.
  const dropped = Metrics.bind(droppedTotal, { buffer: name })
  const items: Array<string> = []
  return {
    offer: (item: string): boolean => {
      if (items.length >= capacity) {
        dropped.unsafeUpdate(1)
        return false
      }
      items.push(item)
      return true
    }
  }
}
// #endregion metrics

// #region monotonic
export const timed = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const start = yield* Monotonic.now
    const value = yield* self
    // A difference of two monotonic readings: a step of the system clock does not change it.
    yield* Effect.log(`took ${(yield* Monotonic.now) - start} ms`)
    return value
  })

// A 30-day cadence. On the live clock `Effect.sleep("30 days")` would never wake: it is past 2^31−1 ms.
export const monthly = (report: Effect.Effect<void>) =>
  Effect.forever(Effect.zipRight(Monotonic.sleep("30 days"), report))
// #endregion monotonic

// #region testing
import { expect, it } from "@effect/vitest"
import { Fiber, TestClock } from "effect"

it.effect("a sweep that hangs is cut at its deadline", () =>
  Effect.gen(function* () {
    const fiber = yield* Effect.never.pipe(Deadline.within("30 seconds", { label: "sweep" }), Effect.flip, Effect.fork)
    yield* TestClock.adjust("30 seconds")
    const error = yield* Fiber.join(fiber)
    expect(error.label).toBe("sweep")
    expect(error.inherited).toBe(false)
  }))
// #endregion testing
