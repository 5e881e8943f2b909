import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Logger, LogLevel, Metric, Option, TestClock } from "effect"
import { Deadline } from "@lifeline/deadline"
import { captureLogs } from "@lifeline/test-kit"

/** A promise that settles only when its signal aborts, recording that it did. */
const abortable = (seen: { aborted: boolean }) => (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => {
      seen.aborted = true
      reject(signal.reason)
    })
  })

const failure = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

describe("Deadline.tryPromise", () => {
  it.effect("aborts the signal at its own budget and fails with DeadlineExceeded", () =>
    Effect.gen(function* () {
      const seen = { aborted: false }
      const fiber = yield* Effect.fork(
        Effect.exit(Deadline.tryPromise(abortable(seen), { budget: "1 second", label: "GET /alerts" }))
      )
      yield* TestClock.adjust("1 second")
      const error = failure(yield* Fiber.join(fiber))
      expect(error).toBeInstanceOf(Deadline.DeadlineExceeded)
      expect((error as Deadline.DeadlineExceeded).label).toBe("GET /alerts")
      expect(seen.aborted).toBe(true)
    }))

  it.effect("without a budget is bounded by the inherited deadline and aborts there", () =>
    Effect.gen(function* () {
      const seen = { aborted: false }
      const fiber = yield* Effect.fork(
        Effect.exit(Deadline.tryPromise(abortable(seen)).pipe(Deadline.within("2 seconds")))
      )
      yield* TestClock.adjust("1999 millis")
      expect(seen.aborted).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(failure(yield* Fiber.join(fiber))).toBeInstanceOf(Deadline.DeadlineExceeded)
      expect(seen.aborted).toBe(true)
    }))

  it.effect("without a budget, inside a finalizer under an outer deadline, aborts at that deadline with its label", () =>
    Effect.gen(function* () {
      const seen = { aborted: false }
      const outcome: Array<string> = []
      // A finalizer is uninterruptible: the outer deadline cannot interrupt the call, only a deadline of its own.
      const flushOnExit = Effect.void.pipe(
        Effect.ensuring(
          Deadline.tryPromise(abortable(seen), { label: "final flush" }).pipe(
            Effect.catchTag(
              "DeadlineExceeded",
              (e) =>
                Effect.sync(() =>
                  outcome.push(`${e.label} inherited=${e.inherited} after ${Duration.toMillis(e.elapsed)}`)
                )
            ),
            Effect.ignore
          )
        )
      )
      const fiber = yield* Effect.fork(Effect.exit(flushOnExit.pipe(Deadline.within("2 seconds", { label: "job" }))))
      yield* TestClock.adjust("1999 millis")
      expect(seen.aborted).toBe(false)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      expect(seen.aborted).toBe(true)
      expect(outcome).toEqual(["final flush inherited=true after 2000"])
    }))

  it.effect("without a budget, the inherited deadline's expiry is counted under the call's label", () =>
    Effect.gen(function* () {
      const counter = Metric.tagged(Deadline.exceededTotal, "label", "GET /alerts")
      const before = (yield* Metric.value(counter)).count
      const fiber = yield* Effect.fork(
        Effect.exit(
          Deadline.tryPromise(abortable({ aborted: false }), { label: "GET /alerts" }).pipe(Deadline.within("1 second"))
        )
      )
      yield* TestClock.adjust("1 second")
      const error = failure(yield* Fiber.join(fiber)) as Deadline.DeadlineExceeded
      expect(error.label).toBe("GET /alerts")
      expect((yield* Metric.value(counter)).count).toBe(before + 1)
    }))

  it.effect("aborts the signal on outside interruption", () =>
    Effect.gen(function* () {
      const seen = { aborted: false }
      const fiber = yield* Effect.fork(Deadline.tryPromise(abortable(seen)))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      expect(seen.aborted).toBe(true)
    }))

  it.effect("passes a signal even to a function that declares no parameter", () =>
    Effect.gen(function* () {
      let received: unknown
      function noDeclaredParameter(this: unknown, ...args: Array<unknown>) {
        received = args[0]
        return Promise.resolve("done")
      }
      expect(noDeclaredParameter.length).toBe(0)
      expect(yield* Deadline.tryPromise(noDeclaredParameter as () => Promise<string>)).toBe("done")
      expect(received).toBeInstanceOf(AbortSignal)
    }))

  it.effect("maps rejections with catch, and to UnknownException without it", () =>
    Effect.gen(function* () {
      const mapped = yield* Effect.exit(
        Deadline.tryPromise(() => Promise.reject(new Error("nope")), {
          catch: (e) => `caught ${(e as Error).message}`
        })
      )
      expect(failure(mapped)).toBe("caught nope")
      const unmapped = yield* Effect.exit(Deadline.tryPromise(() => Promise.reject(new Error("nope"))))
      expect(failure(unmapped)).toBeInstanceOf(Cause.UnknownException)
    }))
})

describe("Deadline.httpClient", () => {
  const requests: Array<string> = []
  /** A client whose requests never get an answer, like a server that reads and stays silent. */
  const silentClient = HttpClient.make((request) => {
    requests.push(`${request.method} ${request.url}`)
    return Effect.never
  })
  const answeringClient = HttpClient.make((request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, new Response("ok", { status: 200 })))
  )

  it.effect("bounds each request by its own budget", () =>
    Effect.gen(function* () {
      const client = Deadline.httpClient(silentClient, { budget: "2 seconds" })
      const fiber = yield* Effect.fork(Effect.exit(client.get("http://127.0.0.1:9/alerts")))
      yield* TestClock.adjust("2 seconds")
      const error = failure(yield* Fiber.join(fiber)) as Deadline.DeadlineExceeded
      expect(error._tag).toBe("DeadlineExceeded")
      expect(error.label).toBe("http GET")
      expect(Duration.toMillis(error.elapsed)).toBe(2000)
    }))

  it.effect("bounds each request by the remaining budget of the enclosing deadline", () =>
    Effect.gen(function* () {
      const client = silentClient.pipe(Deadline.httpClient())
      const program = Effect.gen(function* () {
        yield* Effect.sleep("1 second")
        return yield* client.execute(HttpClientRequest.get("http://127.0.0.1:9/a"))
      }).pipe(Deadline.within("3 seconds", { label: "sweep" }))
      const fiber = yield* Effect.fork(Effect.exit(program))
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = failure(yield* Fiber.join(fiber)) as Deadline.DeadlineExceeded
      expect(error.inherited).toBe(true)
      expect(Duration.toMillis(error.elapsed)).toBe(2000)
    }))

  it.effect("labels requests by method, never by URL: no series per address, no query string in tags or logs", () =>
    Effect.gen(function* () {
      const logs = yield* captureLogs
      const client = Deadline.httpClient(silentClient, { budget: "1 second" })
      const urls = ["http://127.0.0.1:9/users/1?token=s3cret", "http://127.0.0.1:9/users/2?token=s3cret"]
      const fibers = yield* Effect.forEach(
        urls,
        (url) => Effect.fork(Effect.exit(client.get(url)).pipe(Effect.provide(logs.layer)))
      )
      yield* TestClock.adjust("1 second")
      for (const fiber of fibers) {
        expect((failure(yield* Fiber.join(fiber)) as Deadline.DeadlineExceeded).label).toBe("http GET")
      }
      const series = (yield* Metric.snapshot).filter((pair) => pair.metricKey.name.startsWith("lifeline_deadline"))
      const tags = series.flatMap((pair) => pair.metricKey.tags.map((tag) => tag.value))
      expect(tags).toContain("http GET")
      expect(tags.some((value) => value.includes("s3cret") || value.includes("/users/"))).toBe(false)
      expect(JSON.stringify(logs.entries)).not.toContain("s3cret")
    }).pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.All))))

  it.effect("a request that answers in time is returned unchanged", () =>
    Effect.gen(function* () {
      const client = Deadline.httpClient(answeringClient, { budget: "1 second" })
      const response = yield* client.get("http://127.0.0.1:9/ok")
      expect(response.status).toBe(200)
      expect(yield* response.text).toBe("ok")
    }))
})

describe("Deadline.httpClient as an Effect", () => {
  it.effect("yielded, it bounds the HttpClient of the context by the enclosing deadline", () =>
    Effect.gen(function* () {
      const program = Effect.gen(function* () {
        const client = yield* Deadline.httpClient
        return yield* client.get("http://127.0.0.1:9/context")
      }).pipe(
        Deadline.within("1 second", { label: "sweep" }),
        Effect.provideService(HttpClient.HttpClient, HttpClient.make(() => Effect.never))
      )
      const fiber = yield* Effect.fork(Effect.exit(program))
      yield* TestClock.adjust("1 second")
      const error = failure(yield* Fiber.join(fiber)) as Deadline.DeadlineExceeded
      expect(error.label).toBe("http GET")
      expect(error.inherited).toBe(true)
    }))
})
