/**
 * @lifeline/deadline: the cost of a deadline on a fast effect, and how fast a deadline really releases a
 * socket compared with the common `Promise.race` timeout (which leaves the request running).
 */
import { Effect, Exit, Fiber, Scope } from "effect"
import { Deadline } from "@lifeline/deadline"
import { FaultServer } from "@lifeline/fault"
import { atMost, scaled, type Suite } from "./harness.ts"

const iterations = scaled(20_000)
const fast = Effect.succeed(1)

/** Microseconds per call of `wrap(fast)`, over `iterations` calls in one fiber. */
const costPerCall = (
  wrap: (e: Effect.Effect<number>) => Effect.Effect<unknown, unknown>
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const t0 = performance.now()
      for (let i = 0; i < iterations; i++) yield* Effect.either(wrap(fast))
      return ((performance.now() - t0) * 1000) / iterations
    })
  )

/** The same cost while `pending` other deadlines wait (each around work that never ends). */
const costWithPending = (pending: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const waiting = yield* Effect.forEach(
        Array.from({ length: pending }),
        () => Effect.fork(Deadline.within(Effect.never, "1 hour")),
        { concurrency: "unbounded" }
      )
      yield* Effect.yieldNow()
      const t0 = performance.now()
      for (let i = 0; i < iterations; i++) {
        yield* Effect.either(Deadline.within(fast, "1 second"))
      }
      const micros = ((performance.now() - t0) * 1000) / iterations
      yield* Fiber.interruptAll(waiting)
      return micros
    })
  )

/** Never-closed sockets count as this many ms: the baseline's true latency is unbounded. */
const closeCapMs = 2000
const budgetMs = 100

const server = await Effect.runPromise(
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const s = yield* Scope.extend(FaultServer.silent(), scope)
    return { s, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
  })
)
let closesSeen = 0

/** Time from the caller giving up to the server seeing its connection closed, capped. */
const closeLatency = async (
  call: (url: string) => Promise<unknown>
): Promise<number> => {
  const target = closesSeen + 1
  await call(`${server.s.url}/never`).catch(() => undefined)
  const gaveUpAt = Date.now()
  const closed = await Effect.runPromise(
    FaultServer.awaitClose(server.s, target).pipe(
      Effect.timeout(`${closeCapMs} millis`),
      Effect.option
    )
  )
  const stats = await Effect.runPromise(FaultServer.stats(server.s))
  closesSeen = stats.closed
  return closed._tag === "Some" ? Math.max(0, closed.value - gaveUpAt) : closeCapMs
}

const suite: Suite = {
  name: "deadline",
  comparisons: () => [
    {
      name: "cost per call on a fast effect",
      unit: "µs/call",
      higherIsBetter: false,
      runs: 7,
      target: atMost(1.2, " (aim ≤ 1.0×)"),
      baseline: {
        label: "Effect.timeout",
        run: () => costPerCall((e) => Effect.timeout(e, "1 second"))
      },
      subject: {
        label: "Deadline.within",
        run: () => costPerCall((e) => Deadline.within(e, "1 second"))
      }
    },
    {
      name: "socket released after the deadline (silent server)",
      unit: `ms (cap ${closeCapMs})`,
      higherIsBetter: false,
      runs: 3,
      warmup: 0,
      target: { text: "released (< cap)", met: (ratio) => ratio < 1 },
      baseline: {
        label: "Promise.race timeout",
        run: () =>
          closeLatency((url) =>
            Promise.race([
              fetch(url),
              new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), budgetMs))
            ])
          )
      },
      subject: {
        label: "Deadline.tryPromise",
        run: () =>
          closeLatency((url) =>
            Effect.runPromise(
              Deadline.tryPromise((signal) => fetch(url, { signal }), {
                budget: `${budgetMs} millis`
              })
            )
          )
      }
    }
  ],
  scaling: () => [
    {
      name: "within cost per call with other deadlines pending",
      unit: "µs/call",
      sizeLabel: "pending",
      sizes: [1, 100, 10_000].map((n) => scaled(n)),
      measure: costWithPending
    }
  ]
}

export default suite
