import { describe, expect, it } from "@effect/vitest"
import { Deadline } from "@lifeline/deadline"
import { Supervisor } from "@lifeline/supervisor"
import { advance, makeCapturedLogs, now } from "@lifeline/test-kit"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"

describe("Supervisor.make and scope close", () => {
  it.effect("closing the scope interrupts every child and returns at once when they stop", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const interrupted: Array<string> = []
      const sup = yield* Supervisor.make({ name: "polite" }).pipe(Scope.extend(scope))
      yield* Supervisor.keepAlive(
        sup,
        "consumer",
        Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted.push("consumer")))
      )
      yield* Supervisor.periodic(
        sup,
        "sweep",
        Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted.push("sweep"))),
        { every: "1 second", timeout: "1 minute" }
      )
      yield* advance("100 millis")
      const t0 = yield* now
      yield* Scope.close(scope, Exit.void)
      expect((yield* now) - t0).toBe(0)
      expect(interrupted.sort()).toEqual(["consumer", "sweep"])
      const report = yield* Supervisor.health(sup)
      expect(report.healthy).toBe(false)
    }))

  it.effect("a child that will not stop is abandoned at stopTimeout and named in an Error log", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const scope = yield* Scope.make()
      // The stop's log goes to the logger in place when the supervisor was made.
      const sup = yield* Supervisor.make({ name: "stubborn", stopTimeout: "2 seconds" }).pipe(
        Scope.extend(scope),
        Effect.provide(logs.layer)
      )
      yield* Supervisor.keepAlive(sup, "wedged", Effect.uninterruptible(Effect.never)).pipe(Effect.provide(logs.layer))
      yield* Supervisor.keepAlive(sup, "fine", Effect.never)
      yield* advance("100 millis")
      const t0 = yield* now
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* advance("1900 millis")
      expect(closing.unsafePoll()).toBeNull()
      yield* advance("100 millis")
      yield* Fiber.join(closing)
      expect((yield* now) - t0).toBe(2000)
      const abandonedLogs = logs.find("ERROR", "abandoned")
      expect(abandonedLogs).toHaveLength(1)
      expect(abandonedLogs[0]!.message).toContain("abandoned: wedged")
      expect(abandonedLogs[0]!.message).not.toContain("fine")
      const abandoned = yield* Metric.value(Supervisor.abandonedTotal.pipe(Metric.tagged("supervisor", "stubborn")))
      expect(abandoned.count).toBe(1)
    }))

  it.effect("join succeeds when the scope closes normally", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const sup = yield* Supervisor.make({ name: "joined" }).pipe(Scope.extend(scope))
      yield* Supervisor.keepAlive(sup, "consumer", Effect.never)
      const joined = yield* Effect.fork(Supervisor.join(sup))
      yield* advance("1 second")
      expect(joined.unsafePoll()).toBeNull()
      yield* Scope.close(scope, Exit.void)
      expect(yield* Fiber.await(joined)).toEqual(Exit.void)
      // Joining a stopped supervisor returns at once.
      yield* Supervisor.join(sup)
    }))

  it.effect("starting a child on a stopped supervisor is a defect", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const sup = yield* Supervisor.make({ name: "closed" }).pipe(Scope.extend(scope))
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Effect.exit(Supervisor.keepAlive(sup, "late", Effect.never))
      expect(Exit.isFailure(exit) && exit.toString()).toContain("has stopped")
    }))
})

describe("a child belongs to the supervisor, not to the fiber that started it", () => {
  it.scoped("a periodic child started inside Deadline.within keeps its own deadline after the starter's has passed", () =>
    Effect.gen(function* () {
      const budgets: Array<number> = []
      const job = Effect.gen(function* () {
        budgets.push(Option.match(yield* Deadline.remaining, { onNone: () => -1, onSome: Duration.toMillis }))
        yield* Effect.sleep("100 millis")
      })
      const sup = yield* Supervisor.make({ name: "detached-periodic" })
      yield* Supervisor.periodic(sup, "sweep", job, { every: "1 second", timeout: "500 millis" }).pipe(
        Deadline.within("2 seconds", { label: "startup" })
      )
      yield* advance("5500 millis")
      // Each run sees its own 500 ms, never what was left of the starter's 2 seconds.
      expect(budgets).toEqual([500, 500, 500, 500, 500, 500])
      const child = (yield* Supervisor.health(sup)).children[0]!
      expect(child).toMatchObject({ state: "running", lastFailure: null, consecutiveFailures: 0 })
      expect(child.lastSuccessAt?.getTime()).toBe(5100)
    }))

  it.scoped("inside a keep-alive child Deadline.remaining is None, and its own nested deadlines work", () =>
    Effect.gen(function* () {
      const seen: Array<Option.Option<Duration.Duration>> = []
      const nested: Array<Exit.Exit<string, Deadline.DeadlineExceeded>> = []
      const body = Effect.gen(function* () {
        seen.push(yield* Deadline.remaining)
        // Outlive the starter's deadline, then set one of its own.
        yield* Effect.sleep("3 seconds")
        nested.push(yield* Effect.exit(Effect.as(Effect.sleep("1 second"), "done").pipe(Deadline.within("2 seconds"))))
        return yield* Effect.never
      })
      const sup = yield* Supervisor.make({ name: "detached-keep-alive" })
      yield* Supervisor.keepAlive(sup, "consumer", body).pipe(Deadline.within("1 second", { label: "startup" }))
      yield* advance("5 seconds")
      expect(seen).toStrictEqual([Option.none()])
      expect(nested).toStrictEqual([Exit.succeed("done")])
      expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({ state: "running", restarts: 0 })
    }))

  it.effect("a child started from an uninterruptible region still stops at once when the scope closes", () =>
    Effect.gen(function* () {
      const logs = makeCapturedLogs()
      const scope = yield* Scope.make()
      const sup = yield* Supervisor.make({ name: "masked", stopTimeout: "5 seconds" }).pipe(
        Scope.extend(scope),
        Effect.provide(logs.layer)
      )
      // Starting children while acquiring a resource is common; the acquire runs uninterruptibly.
      yield* Effect.uninterruptible(Supervisor.keepAlive(sup, "consumer", Effect.never))
      yield* Effect.uninterruptible(
        Supervisor.periodic(sup, "sweep", Effect.never, { every: "1 second", timeout: "1 minute" })
      )
      yield* advance("100 millis")
      const t0 = yield* now
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* advance("100 millis")
      expect(closing.unsafePoll()).toStrictEqual(Exit.void)
      expect((yield* now) - t0).toBeLessThanOrEqual(100)
      expect(logs.find("ERROR", "abandoned")).toEqual([])
    }))
})

describe("options", () => {
  const invalid = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.flip(effect).pipe(
      Effect.map((e) => {
        if (!(e instanceof Deadline.InvalidOptions)) throw new Error(`expected InvalidOptions, got ${String(e)}`)
        return e
      })
    )

  it.scoped("bad supervisor options fail with InvalidOptions naming the option and the value", () =>
    Effect.gen(function* () {
      const cases: Array<[unknown, string, unknown]> = [
        [{ name: "" }, "name", ""],
        [{ name: "   " }, "name", "   "],
        [{ name: 42 }, "name", 42],
        [{ name: "s", stopTimeout: -1 }, "stopTimeout", -1],
        [{ name: "s", stopTimeout: 0 }, "stopTimeout", 0],
        [{ name: "s", stopTimeout: Number.NaN }, "stopTimeout", Number.NaN],
        [{ name: "s", stopTimeout: Number.POSITIVE_INFINITY }, "stopTimeout", Number.POSITIVE_INFINITY],
        [{ name: "s", stopTimeout: "Infinity" }, "stopTimeout", "Infinity"],
        [{ name: "s", stopTimeout: "soon" }, "stopTimeout", "soon"],
        [{ name: "s", intensity: null }, "intensity", null],
        [{ name: "s", intensity: 3 }, "intensity", 3],
        [{ name: "s", intensity: { maxRestarts: 0, within: "1 minute" } }, "intensity.maxRestarts", 0],
        [{ name: "s", intensity: { maxRestarts: 1.5, within: "1 minute" } }, "intensity.maxRestarts", 1.5],
        [
          { name: "s", intensity: { maxRestarts: Number.NaN, within: "1 minute" } },
          "intensity.maxRestarts",
          Number.NaN
        ],
        [{ name: "s", intensity: { maxRestarts: 3, within: 0 } }, "intensity.within", 0],
        [{ name: "s", intensity: { maxRestarts: 3, within: Duration.infinity } }, "intensity.within", Duration.infinity]
      ]
      for (const [options, option, value] of cases) {
        const error = yield* invalid(Supervisor.make(options as Supervisor.Options))
        expect(error.option).toBe(option)
        expect(error.value).toEqual(value)
        expect(error.message).toContain(option)
      }
      // A missing options object is a missing name, not a TypeError.
      expect((yield* invalid(Supervisor.make(undefined as unknown as Supervisor.Options))).option).toBe("name")
    }))

  it.scoped("bad child options fail with InvalidOptions and start nothing", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "opts" })
      const periodic = (options: unknown, job: unknown = Effect.void) =>
        invalid(Supervisor.periodic(sup, "a", job as Effect.Effect<void>, options as Supervisor.PeriodicOptions))
      const cases: Array<[unknown, string]> = [
        [undefined, "every"],
        [{ every: 0, timeout: "1 second" }, "every"],
        [{ every: Number.POSITIVE_INFINITY, timeout: "1 second" }, "every"],
        [{ every: "1 second", timeout: Number.NaN }, "timeout"],
        [{ every: "1 second", timeout: -5 }, "timeout"],
        [{ every: "1 second", timeout: "1 second", overrun: "catch-up" }, "overrun"],
        [{ every: "1 second", timeout: "1 second", staleAfter: "-5 seconds" }, "staleAfter"],
        [{ every: "1 second", timeout: "1 second", staleAfter: null }, "staleAfter"],
        [{ every: "1 second", timeout: "1 second", grace: -1 }, "grace"],
        [{ every: "1 second", timeout: "1 second", grace: Duration.infinity }, "grace"]
      ]
      for (const [options, option] of cases) {
        expect((yield* periodic(options)).option).toBe(option)
      }
      const notAnEffect = yield* periodic({ every: "1 second", timeout: "1 second" }, () => "sweep")
      expect(notAnEffect.option).toBe("job")
      const blank = yield* invalid(
        Supervisor.periodic(sup, " ", Effect.void, { every: "1 second", timeout: "1 second" })
      )
      expect(blank.option).toBe("name")
      const reset = yield* invalid(Supervisor.keepAlive(sup, "k", Effect.void, { resetAfter: -1 }))
      expect(reset.option).toBe("resetAfter")
      const restart = yield* invalid(
        Supervisor.keepAlive(sup, "k", Effect.void, {
          restart: "1 second" as unknown as Supervisor.KeepAliveOptions["restart"]
        })
      )
      expect(restart.option).toBe("restart")
      const effect = yield* invalid(Supervisor.keepAlive(sup, "k", Promise.resolve() as unknown as Effect.Effect<void>))
      expect(effect.option).toBe("effect")
      expect((yield* Supervisor.health(sup)).children).toEqual([])
      yield* Supervisor.keepAlive(sup, "k", Effect.never)
      const duplicate = yield* invalid(
        Supervisor.periodic(sup, "k", Effect.void, { every: "1 second", timeout: "1 second" })
      )
      expect(duplicate.option).toBe("name")
      expect(duplicate.value).toBe("k")
    }))

  it.scoped("a grace of zero abandons an uninterruptible run at its deadline", () =>
    Effect.gen(function* () {
      const sup = yield* Supervisor.make({ name: "no-grace" })
      yield* Supervisor.periodic(sup, "sweep", Effect.uninterruptible(Effect.never), {
        every: "1 minute",
        timeout: "1 second",
        grace: 0
      })
      yield* advance("1100 millis")
      expect((yield* Supervisor.health(sup)).children[0]).toMatchObject({
        state: "stalled",
        lastFailure: { kind: "timeout" }
      })
    }))
})
