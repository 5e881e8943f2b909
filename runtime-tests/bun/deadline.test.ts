/**
 * The minimal patterns on Bun (the full suite runs on Node and Deno): deadlines interrupt, nest and abandon
 * on Bun's scheduler, and a deadline releases a real loopback socket.
 */
// @ts-ignore: bun:test exists only under Bun
import { expect, test } from "bun:test"
import { Cause, Effect, Exit, Option } from "effect"
import { Deadline } from "../../packages/deadline/src/index.ts"
import { FaultServer } from "../../packages/fault/src/index.ts"

const error = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

test("within interrupts work at its budget", async () => {
  const started = Date.now()
  const exit = await Effect.runPromiseExit(Deadline.within(Effect.never, "50 millis", { label: "bun" }))
  const e = error(exit) as Deadline.DeadlineExceeded
  console.log(`bun: within(50 ms) failed after ${Date.now() - started} ms`)
  expect(e).toBeInstanceOf(Deadline.DeadlineExceeded)
  expect(e.label).toBe("bun")
  expect(Date.now() - started).toBeLessThan(1000)
})

test("an inner deadline inherits the outer's remainder", async () => {
  const exit = await Effect.runPromiseExit(
    Deadline.within(Effect.never, "10 seconds", { label: "inner" }).pipe(Deadline.within("50 millis"))
  )
  expect((error(exit) as Deadline.DeadlineExceeded).inherited).toBe(true)
})

test("uninterruptible work is abandoned after the grace period", async () => {
  const exit = await Effect.runPromiseExit(
    Deadline.within(Effect.uninterruptible(Effect.sleep("5 seconds")), "20 millis", { grace: "30 millis" })
  )
  expect((error(exit) as Deadline.DeadlineExceeded).abandoned).toBe(true)
})

test("tryPromise(fetch) fails at the budget and the server sees the socket closed", async () => {
  const result = await Effect.runPromise(
    Effect.gen(function* () {
      const server = yield* FaultServer.silent()
      const exit = yield* Effect.exit(
        Deadline.tryPromise((signal) => fetch(server.url, { signal }), { budget: "100 millis" })
      )
      const failedAt = Date.now()
      const closedAt = yield* FaultServer.awaitClose(server).pipe(Effect.timeout("3 seconds"))
      return { e: error(exit), latency: closedAt - failedAt }
    }).pipe(Effect.scoped)
  )
  console.log(`bun: socket closed ${result.latency} ms after the deadline`)
  expect(result.e).toBeInstanceOf(Deadline.DeadlineExceeded)
  expect(result.latency).toBeLessThan(1000)
})
