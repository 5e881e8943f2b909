/**
 * @lifeline/deadline: the cost of a deadline on a fast effect, and how fast a deadline really releases a
 * socket compared with the common `Promise.race` timeout (which leaves the request running).
 */
import { Effect, Exit, Scope } from "effect"
import { Deadline } from "@lifeline/deadline"
import { FaultServer } from "@lifeline/fault"
import type { Suite } from "./harness.ts"

const iterations = 20_000
const fast = Effect.succeed(1)

const loop = (
  wrap: (e: Effect.Effect<number>) => Effect.Effect<unknown, unknown>
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const t0 = performance.now()
      for (let i = 0; i < iterations; i++) yield* Effect.either(wrap(fast))
      return iterations / ((performance.now() - t0) / 1000)
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
      name: "within vs Effect.timeout on a fast effect",
      unit: "ops/s",
      higherIsBetter: true,
      runs: 7,
      baseline: {
        label: "Effect.timeout",
        run: () => loop((e) => Effect.timeout(e, "1 second"))
      },
      subject: {
        label: "Deadline.within",
        run: () => loop((e) => Deadline.within(e, "1 second"))
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
  ]
}

export default suite
