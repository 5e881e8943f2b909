import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Duration, Effect, Exit, Fiber, Logger, Metric, Option, Supervisor, TestClock } from "effect"
import { Deadline } from "@lifeline/deadline"

const expectExceeded = <A, E>(exit: Exit.Exit<A, E>): Deadline.DeadlineExceeded => {
  if (Exit.isSuccess(exit)) throw new Error(`expected DeadlineExceeded, got success ${String(exit.value)}`)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure) || !(failure.value instanceof Deadline.DeadlineExceeded)) {
    throw new Error(`expected DeadlineExceeded, got ${Cause.pretty(exit.cause)}`)
  }
  return failure.value
}

/** Collects log lines with their level and annotations. */
const captureLogs = Effect.gen(function* () {
  const lines: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    const record: Record<string, unknown> = {}
    for (const [k, v] of annotations) record[k] = v
    lines.push({
      level: logLevel.label,
      message: String(Array.isArray(message) ? message.join(" ") : message),
      annotations: record
    })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

describe("Deadline.within", () => {
  it.effect("returns the value of work that finishes before the deadline", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.as(Effect.sleep("2 seconds"), 42).pipe(Deadline.within("5 seconds")))
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(fiber)).toBe(42)
    }))

  it.effect("interrupts the work at the budget and fails with DeadlineExceeded", () =>
    Effect.gen(function* () {
      const interrupted = yield* Deferred.make<void>()
      const work = Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined)))
      const fiber = yield* Effect.fork(Effect.exit(Deadline.within(work, "1 second", { label: "sweep" })))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = expectExceeded(yield* Fiber.join(fiber))
      expect(error._tag).toBe("DeadlineExceeded")
      expect(error.label).toBe("sweep")
      expect(Duration.toMillis(error.budget)).toBe(1000)
      expect(Duration.toMillis(error.elapsed)).toBe(1000)
      expect(error.inherited).toBe(false)
      expect(error.abandoned).toBe(false)
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
      expect(error.message).toContain("sweep")
    }))

  it.effect("passes the work's own failure through unchanged", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Deadline.within(Effect.fail("boom" as const), "1 second"))
      expect(exit).toStrictEqual(Exit.fail("boom"))
    }))

  it.effect("an inner budget larger than the outer's remainder fails at the outer deadline, inherited", () =>
    Effect.gen(function* () {
      const program = Effect.gen(function* () {
        yield* Effect.sleep("2 seconds")
        return yield* Deadline.within(Effect.never, "10 seconds", { label: "inner" })
      }).pipe(Deadline.within("5 seconds", { label: "outer" }))
      const fiber = yield* Effect.fork(Effect.exit(program))
      yield* TestClock.adjust("4999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = expectExceeded(yield* Fiber.join(fiber))
      expect(error.inherited).toBe(true)
      expect(error.label).toBe("inner")
      expect(Duration.toMillis(error.budget)).toBe(10_000)
      expect(Duration.toMillis(error.elapsed)).toBe(3000)
    }))

  it.effect("an inherited inner deadline whose work is stuck is abandoned under the inner label and grace", () =>
    Effect.gen(function* () {
      const counter = Metric.tagged(Deadline.abandonedTotal, "label", "stuck-inner")
      const before = (yield* Metric.value(counter)).count
      const release = yield* Deferred.make<void>()
      const program = Effect.uninterruptible(Deferred.await(release)).pipe(
        Deadline.within("1 minute", { label: "stuck-inner", grace: "300 millis" }),
        Deadline.within("2 seconds", { label: "outer", grace: "5 seconds" })
      )
      const fiber = yield* Effect.fork(Effect.exit(program))
      yield* TestClock.adjust("2 seconds")
      yield* TestClock.adjust("299 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = expectExceeded(yield* Fiber.join(fiber))
      expect(error.label).toBe("stuck-inner")
      expect(error.inherited).toBe(true)
      expect(error.abandoned).toBe(true)
      expect(Duration.toMillis(error.elapsed)).toBe(2300)
      expect((yield* Metric.value(counter)).count).toBe(before + 1)
      yield* Deferred.succeed(release, undefined)
    }))

  it.effect("an inherited deadline on a daemon fiber the outer work started still fires at the outer deadline", () =>
    Effect.gen(function* () {
      const daemon = yield* Deferred.make<Exit.Exit<never, Deadline.DeadlineExceeded>>()
      const program = Effect.gen(function* () {
        // The daemon inherits the deadline but is not interrupted when the outer work is.
        yield* Effect.forkDaemon(
          Effect.exit(Deadline.within(Effect.never, "1 minute", { label: "daemon" })).pipe(
            Effect.flatMap((exit) => Deferred.succeed(daemon, exit))
          )
        )
        return yield* Effect.never
      }).pipe(Deadline.within("2 seconds", { label: "outer" }))
      const fiber = yield* Effect.fork(Effect.exit(program))
      yield* TestClock.adjust("2 seconds")
      expect(expectExceeded(yield* Fiber.join(fiber)).label).toBe("outer")
      const error = expectExceeded(yield* Deferred.await(daemon))
      expect(error.label).toBe("daemon")
      expect(error.inherited).toBe(true)
    }))

  it.effect("an inner budget smaller than the outer's remainder is its own limit", () =>
    Effect.gen(function* () {
      const program = Deadline.within(Effect.never, "1 second", { label: "inner" }).pipe(
        Deadline.within("5 seconds", { label: "outer" })
      )
      const fiber = yield* Effect.fork(Effect.exit(program))
      yield* TestClock.adjust("1 second")
      const error = expectExceeded(yield* Fiber.join(fiber))
      expect(error.label).toBe("inner")
      expect(error.inherited).toBe(false)
    }))

  it.effect("a budget of zero or less is already expired", () =>
    Effect.gen(function* () {
      let ran = false
      const work = Effect.sync(() => {
        ran = true
      })
      for (const budget of [0, -5, "0 millis", Duration.zero] as Array<Duration.DurationInput>) {
        const error = expectExceeded(yield* Effect.exit(Deadline.within(work, budget)))
        expect(Duration.toMillis(error.elapsed)).toBe(0)
      }
      expect(ran).toBe(false)
    }))

  it.effect("a NaN or malformed budget dies with InvalidOptions naming the budget", () =>
    Effect.gen(function* () {
      for (const budget of [Number.NaN, "soon", [Number.NaN, 0]] as Array<any>) {
        const exit = yield* Effect.exit(Deadline.within(Effect.void, budget))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        const defect = Exit.isFailure(exit) ? Option.getOrThrow(Cause.dieOption(exit.cause)) : undefined
        expect(defect).toBeInstanceOf(Deadline.InvalidOptions)
        expect((defect as Deadline.InvalidOptions).option).toBe("budget")
        expect((defect as Deadline.InvalidOptions).message).toContain("budget")
      }
    }))

  it.effect("a negative or NaN grace dies with InvalidOptions naming the grace", () =>
    Effect.gen(function* () {
      for (const grace of [-1, Number.NaN]) {
        const exit = yield* Effect.exit(Deadline.within(Effect.void, "1 second", { grace }))
        const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        expect((defect as Deadline.InvalidOptions).option).toBe("grace")
      }
    }))

  it.effect("an infinite or malformed grace dies with InvalidOptions: within never waits forever", () =>
    Effect.gen(function* () {
      for (const grace of [Duration.infinity, Number.POSITIVE_INFINITY, "forever"] as Array<any>) {
        const exit = yield* Effect.exit(Deadline.within(Effect.uninterruptible(Effect.never), "1 second", { grace }))
        const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        expect(defect).toBeInstanceOf(Deadline.InvalidOptions)
        expect((defect as Deadline.InvalidOptions).option).toBe("grace")
      }
    }))

  it.effect("an infinite budget adds no limit of its own but keeps the inherited one", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Effect.exit(Deadline.within(Effect.never, Duration.infinity).pipe(Deadline.within("2 seconds")))
      )
      yield* TestClock.adjust("2 seconds")
      expect(expectExceeded(yield* Fiber.join(fiber)).inherited).toBe(true)
    }))

  it.effect("uninterruptible work is abandoned at budget + grace, counted and logged", () =>
    Effect.gen(function* () {
      const { layer, lines } = yield* captureLogs
      const counter = Metric.tagged(Deadline.abandonedTotal, "label", "stuck-flush")
      const before = (yield* Metric.value(counter)).count
      const release = yield* Deferred.make<void>()
      const work = Effect.uninterruptible(Deferred.await(release))
      const fiber = yield* Effect.fork(
        Effect.exit(Deadline.within(work, "3 seconds", { label: "stuck-flush", grace: "500 millis" })).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("3 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("499 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = expectExceeded(yield* Fiber.join(fiber))
      expect(error.abandoned).toBe(true)
      expect(Duration.toMillis(error.elapsed)).toBe(3500)
      expect((yield* Metric.value(counter)).count).toBe(before + 1)
      const warning = lines.find((l) => l.level === "WARN")
      expect(warning?.annotations["label"]).toBe("stuck-flush")
      yield* Deferred.succeed(release, undefined)
    }))

  it.effect("the default grace is one second", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.exit(Deadline.within(Effect.uninterruptible(Effect.never), "1 second")))
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(expectExceeded(yield* Fiber.join(fiber)).abandoned).toBe(true)
    }))

  it.effect("work whose finalizer finishes within the grace is not abandoned", () =>
    Effect.gen(function* () {
      const work = Effect.never.pipe(Effect.ensuring(Effect.sleep("300 millis")))
      const fiber = yield* Effect.fork(Effect.exit(Deadline.within(work, "1 second", { grace: "1 second" })))
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("300 millis")
      const error = expectExceeded(yield* Fiber.join(fiber))
      expect(error.abandoned).toBe(false)
      expect(Duration.toMillis(error.elapsed)).toBe(1300)
    }))

  it.effect("a deadline inside a finalizer is honoured (Effect.timeout there waits for the work)", () =>
    Effect.gen(function* () {
      const outcome: Array<string> = []
      const flushInFinalizer = Effect.void.pipe(
        Effect.ensuring(
          Deadline.within(Effect.never, "2 seconds", { label: "flush" }).pipe(
            Effect.catchTag(
              "DeadlineExceeded",
              (e) => Effect.sync(() => outcome.push(`${e.label} abandoned=${e.abandoned}`))
            )
          )
        )
      )
      const fiber = yield* Effect.fork(flushInFinalizer)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      expect(outcome).toEqual(["flush abandoned=false"])
    }))

  it.effect("a deadline inside a finalizer run by interruption is honoured", () =>
    Effect.gen(function* () {
      const outcome: Array<string> = []
      const started = yield* Deferred.make<void>()
      const program = Effect.zipRight(Deferred.succeed(started, undefined), Effect.never).pipe(
        Effect.ensuring(
          Deadline.within(Effect.never, "2 seconds", { label: "flush" }).pipe(
            Effect.catchTag("DeadlineExceeded", (e) => Effect.sync(() => outcome.push(e.label)))
          )
        )
      )
      const fiber = yield* Effect.fork(program)
      yield* Deferred.await(started)
      const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(interrupting)
      expect(outcome).toEqual(["flush"])
    }))

  it.effect("outside interruption interrupts the work and returns", () =>
    Effect.gen(function* () {
      const interrupted = yield* Deferred.make<void>()
      const work = Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined)))
      const fiber = yield* Effect.fork(Deadline.within(work, "10 seconds"))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
    }))

  it.effect("outside interruption of uninterruptible work returns after the grace", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Deadline.within(Effect.uninterruptible(Effect.never), "10 seconds", { grace: "1 second" })
      )
      yield* TestClock.adjust("1 second")
      const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("999 millis")
      expect(interrupting.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.join(interrupting)
      expect(Exit.isInterrupted(exit)).toBe(true)
    }))

  it.effect("is dual: data-first and data-last agree", () =>
    Effect.gen(function* () {
      expect(yield* Deadline.within(Effect.succeed(1), "1 second")).toBe(1)
      expect(yield* Effect.succeed(2).pipe(Deadline.within("1 second"))).toBe(2)
    }))

  it.effect("counts expiries in lifeline_deadline_exceeded_total", () =>
    Effect.gen(function* () {
      const counter = Metric.tagged(Deadline.exceededTotal, "label", "counted")
      const before = (yield* Metric.value(counter)).count
      yield* Effect.exit(Deadline.within(Effect.void, 0, { label: "counted" }))
      expect((yield* Metric.value(counter)).count).toBe(before + 1)
    }))
})

describe("Deadline.remaining", () => {
  it.effect("is None outside any deadline", () =>
    Effect.gen(function* () {
      expect(yield* Deadline.remaining).toStrictEqual(Option.none())
    }))

  it.effect("reports the innermost deadline's time left inside nested deadlines", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const record = Effect.flatMap(Deadline.remaining, (d) =>
        Effect.sync(() => seen.push(Duration.toMillis(Option.getOrThrow(d)))))
      const program = Effect.gen(function* () {
        yield* record // 10 s left of the outer
        yield* Effect.sleep("1 second")
        yield* Deadline.within(record, "3 seconds") // own 3 s is sooner
        yield* Deadline.within(Effect.zipRight(Effect.sleep("2 seconds"), record), "60 seconds") // inherits 9 s, 2 s spent
        yield* record
      }).pipe(Deadline.within("10 seconds"))
      const fiber = yield* Effect.fork(program)
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      expect(seen).toEqual([10_000, 3000, 7000, 7000])
    }))

  it.effect("is inherited by forked fibers", () =>
    Effect.gen(function* () {
      const program = Effect.fork(Deadline.remaining).pipe(Effect.flatMap(Fiber.join), Deadline.within("4 seconds"))
      expect(Option.map(yield* program, Duration.toMillis)).toStrictEqual(Option.some(4000))
    }))
})

describe("Deadline.detach", () => {
  it.effect("runs an effect outside the inherited deadline", () =>
    Effect.gen(function* () {
      const program = Effect.gen(function* () {
        const inside = yield* Deadline.detach(Deadline.remaining)
        const nested = yield* Deadline.detach(
          Effect.zipRight(Effect.sleep("5 seconds"), Deadline.remaining).pipe(Deadline.within("10 seconds"))
        )
        return { inside, nested }
      })
      const fiber = yield* Effect.fork(program.pipe(Deadline.within("1 minute")))
      yield* TestClock.adjust("5 seconds")
      const { inside, nested } = yield* Fiber.join(fiber)
      expect(inside).toStrictEqual(Option.none())
      expect(Option.map(nested, Duration.toMillis)).toStrictEqual(Option.some(5000))
    }))
})

describe("Deadline.within leaves no fiber behind", () => {
  const aliveAfter = <A, E>(program: Effect.Effect<A, E>) =>
    Effect.gen(function* () {
      const tracker = yield* Supervisor.track
      const fiber = yield* Effect.fork(Effect.exit(program).pipe(Effect.supervised(tracker)))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      return (yield* tracker.value).length
    })

  it.effect("when the work finishes in time", () =>
    Effect.gen(function* () {
      expect(yield* aliveAfter(Deadline.within(Effect.succeed(1), "1 second"))).toBe(0)
    }))

  it.effect("when the deadline interrupts the work", () =>
    Effect.gen(function* () {
      expect(yield* aliveAfter(Deadline.within(Effect.never, "1 second"))).toBe(0)
    }))

  it.effect("except the abandoned work itself, when it cannot be interrupted", () =>
    Effect.gen(function* () {
      expect(yield* aliveAfter(Deadline.within(Effect.uninterruptible(Effect.never), "1 second"))).toBe(1)
    }))
})
