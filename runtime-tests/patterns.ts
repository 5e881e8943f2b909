/**
 * The minimal pattern of every package, written once and registered by each runtime's own test runner
 * (`node/`, `deno/`, `bun/`): real clock, real loopback sockets, real child processes. Each pattern returns a
 * line saying what it measured, which the suites print, and throws (`node:assert`) when the runtime breaks it.
 *
 * `exitSummary` checks what the `exit` test of each suite saw after sending SIGTERM to `fixtures/main-run.ts`;
 * the suites start and signal that process with their runtime's own process API.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as Command from "@effect/platform/Command"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Effect, Exit, Layer, Logger, Option, Ref } from "effect"
import assert from "node:assert/strict"
import { createServer } from "node:http"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Deadline } from "../packages/deadline/src/index.ts"
import { DeathLog, LogTail } from "../packages/death-log/src/index.ts"
import { FaultServer } from "../packages/fault/src/index.ts"
import { DroppingQueue, LineBuffer } from "../packages/queue/src/index.ts"
import { Supervisor } from "../packages/supervisor/src/index.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
const deno = (globalThis as { readonly Deno?: { execPath(): string } }).Deno

/** `fixtures/<file>` */
export const fixture = (file: string): string => path.join(here, "fixtures", file)

/** The command that runs a plain script on this runtime: `node x`, `bun x`, `deno run -A x`. */
export const runScript = (script: string): ReadonlyArray<string> =>
  deno !== undefined ? [deno.execPath(), "run", "-A", "--quiet", script] : [process.execPath, script]

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** Polls `read` on the live clock until `done` holds or `timeoutMs` passes; returns the last value. */
const eventually = <A>(read: Effect.Effect<A>, done: (a: A) => boolean, timeoutMs = 10_000) =>
  Effect.gen(function* () {
    const start = performance.now()
    for (;;) {
      const value = yield* read
      if (done(value) || performance.now() - start > timeoutMs) return value
      yield* Effect.sleep("10 millis")
    }
  })

/** Failures the patterns provoke on purpose are logged at Error by the packages: keep the runners' output clean. */
const quiet = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, Logger.remove(Logger.defaultLogger))

const run = <A, E>(self: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(quiet(self))

export interface Pattern {
  readonly name: string
  readonly run: () => Promise<string>
}

const deadline: Pattern = {
  name: "deadline: within interrupts the work at its budget, on the real clock",
  run: () =>
    run(Effect.gen(function* () {
      const interrupted = yield* Ref.make(false)
      const work = Effect.never.pipe(Effect.onInterrupt(() => Ref.set(interrupted, true)))
      const started = performance.now()
      const exit = yield* Effect.exit(Deadline.within(work, "100 millis", { label: "smoke" }))
      const elapsed = Math.round(performance.now() - started)
      const error = failureOf(exit)
      assert.ok(error instanceof Deadline.DeadlineExceeded, `expected DeadlineExceeded, got ${String(error)}`)
      assert.equal(error.label, "smoke")
      assert.equal(yield* Ref.get(interrupted), true, "the work was not interrupted")
      assert.ok(elapsed >= 90 && elapsed < 3_000, `fired after ${elapsed} ms`)
      return `within(100 millis) fired after ${elapsed} ms and interrupted the work`
    }))
}

const droppingQueue: Pattern = {
  name: "queue: a full DroppingQueue never blocks, drops and counts",
  run: () =>
    run(Effect.gen(function* () {
      const queue = yield* DroppingQueue.make<number>({ capacity: 3, name: "smoke" })
      for (let i = 0; i < 10; i++) yield* DroppingQueue.offer(queue, i)
      const stats = yield* DroppingQueue.stats(queue)
      assert.deepEqual(
        { offered: stats.offered, accepted: stats.accepted, dropped: stats.dropped, size: stats.size },
        { offered: 10, accepted: 3, dropped: 7, size: 3 }
      )
      assert.deepEqual(yield* DroppingQueue.takeBatch(queue, 10), [0, 1, 2])
      const oldest = yield* DroppingQueue.make<number>({ capacity: 2, strategy: "drop-oldest" })
      for (let i = 0; i < 5; i++) oldest.unsafeOffer(i)
      assert.deepEqual(oldest.unsafeTakeUpTo(10), [3, 4])
      return `capacity 3, 10 offers: accepted ${stats.accepted}, dropped ${stats.dropped}; drop-oldest kept [3, 4]`
    }))
}

const lineBuffer: Pattern = {
  name: "queue: LineBuffer cuts an over-long line at a character boundary and never joins it to the next",
  run: () =>
    run(Effect.gen(function* () {
      const buffer = yield* LineBuffer.make({ maxBytes: 64, maxLineBytes: 8 })
      // "héhéh" is 7 bytes: the next "é" would end at byte 9, so the cut falls before it, not inside it.
      buffer.write("ok\nhéhéhéhéhé and more")
      buffer.write(" of the same line\nnext\ntrail")
      const lines = [...buffer.take(), ...buffer.flush()]
      assert.deepEqual(lines.map((l) => [l.text, l.truncated, l.terminated]), [
        ["ok", false, true],
        ["héhéh", true, true],
        ["next", false, true],
        ["trail", false, false]
      ])
      assert.equal(buffer.stats().truncatedLines, 1)
      return `lines ${lines.map((l) => JSON.stringify(l.text)).join(", ")}; the long one cut to 7 of 8 bytes`
    }))
}

const supervisor: Pattern = {
  name: "supervisor: a periodic child runs on its cadence, /healthz answers 200, then 503 when a loop stalls",
  run: () =>
    run(Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const result = yield* Effect.scoped(Effect.gen(function* () {
        const sup = yield* Supervisor.make({ name: "smoke" })
        yield* Supervisor.periodic(sup, "tick", Ref.update(runs, (n) => n + 1), {
          every: "20 millis",
          timeout: "1 second"
        })
        const address = (yield* HttpServer.HttpServer).address
        assert.ok(address._tag === "TcpAddress")
        yield* HttpServer.serveEffect(Supervisor.healthApp(sup))
        const url = `http://127.0.0.1:${address.port}/healthz`
        const count = yield* eventually(Ref.get(runs), (n) => n >= 5)
        assert.ok(count >= 5, `${count} runs`)
        const healthy = yield* Effect.promise(() => fetch(url).then(async (r) => [r.status, await r.json()] as const))
        assert.equal(healthy[0], 200, JSON.stringify(healthy[1]))
        // A loop whose every run fails makes no progress: stalled once `staleAfter` has passed.
        yield* Supervisor.periodic(sup, "wedged", Effect.fail("upstream down"), {
          every: "20 millis",
          timeout: "1 second",
          staleAfter: "150 millis"
        })
        const stalled = yield* eventually(
          Effect.promise(() => fetch(url).then(async (r) => [r.status, await r.text()] as const)),
          ([status]) => status === 503
        )
        assert.equal(stalled[0], 503, stalled[1])
        return count
      })).pipe(Effect.provide(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })))
      // The loop belongs to the scope: once it has closed, no run starts.
      const closed = yield* Ref.get(runs)
      yield* Effect.sleep("100 millis")
      assert.equal(yield* Ref.get(runs), closed, "a run started after the scope closed")
      return `${result}+ runs at 20 ms, /healthz 200, then 503 for a stalled loop; stopped with its scope`
    }))
}

const faultServer: Pattern = {
  name: "fault: an ok server answers, a silent one holds the request until the deadline closes the socket",
  run: () =>
    run(Effect.scoped(Effect.gen(function* () {
      const ok = yield* FaultServer.ok({ body: "pong" })
      const answer = yield* Effect.promise(() => fetch(ok.url).then(async (r) => `${r.status} ${await r.text()}`))
      assert.equal(answer, "200 pong")
      const silent = yield* FaultServer.silent()
      const exit = yield* Effect.exit(
        Deadline.tryPromise((signal) => fetch(silent.url, { signal }), { budget: "100 millis", label: "silent" })
      )
      const failedAt = performance.now()
      assert.ok(failureOf(exit) instanceof Deadline.DeadlineExceeded)
      yield* FaultServer.awaitClose(silent).pipe(Effect.timeoutFail({
        duration: "5 seconds",
        onTimeout: () => new Error("the client socket was not closed")
      }))
      const latency = Math.round(performance.now() - failedAt)
      const stats = yield* FaultServer.stats(silent)
      assert.equal(stats.requests.length, 1)
      return `ok answered "${answer}"; silent: DeadlineExceeded, socket closed ${latency} ms later`
    })))
}

const logTail: Pattern = {
  name: "death-log: a LogTail keeps the last lines within its bounds",
  run: () =>
    run(Effect.gen(function* () {
      const tail = yield* LogTail.make({ maxLines: 3, maxBytes: 1024 })
      tail.write("line 0\nline 1\nline 2\nline 3\nline 4\nhalf")
      tail.write(" done")
      tail.flush()
      const snapshot = tail.snapshot()
      assert.deepEqual(snapshot.lines.map((l) => l.text), ["line 3", "line 4", "half done"])
      assert.equal(snapshot.droppedLines, 3)
      return `kept ${snapshot.lines.map((l) => l.text).join(", ")}; dropped ${snapshot.droppedLines}`
    }))
}

const deathLog: Pattern = {
  name: "death-log: DeathLog.spawn reports a child that died with its last lines, once, and nothing for a clean one",
  run: () => {
    const records: Array<DeathLog.DeathRecord> = []
    return run(
      Effect.gen(function* () {
        const spawn = (code: number) => {
          const [binary, ...args] = runScript(fixture("child.mjs"))
          return DeathLog.spawn(Command.make(binary!, ...args, "500", String(code)), {
            name: "runner",
            tags: { suite: "smoke" }
          })
        }
        const clean = yield* spawn(0)
        const died = yield* spawn(3)
        assert.equal(clean.abnormal, false)
        assert.equal(died.abnormal, true)
        assert.equal(died.exitCode, 3)
        assert.equal(records.length, 1, `${records.length} records`)
        const record = records[0]!
        assert.equal(record.key, `runner:${record.pid}`)
        assert.equal(record.lines.length, 200)
        assert.equal(record.droppedLines, 300)
        assert.equal(record.lines.at(-1), "line 499")
        const kept = `${record.lines.length} lines (${record.droppedLines} dropped)`
        return `exit 3 reported once with its last ${kept}; exit 0 not reported`
      }).pipe(
        Effect.provide(DeathLog.layerEmitter((record) => Effect.sync(() => records.push(record)))),
        Effect.provide(NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer)))
      )
    )
  }
}

/** In the order the suites register them. */
export const patterns: ReadonlyArray<Pattern> = [
  deadline,
  droppingQueue,
  lineBuffer,
  supervisor,
  faultServer,
  logTail,
  deathLog
]

/** What the `exit` tests saw of the process they signalled. */
export interface Ended {
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  readonly elapsedMs: number
}

/**
 * Checks a `Main.run` process that was sent SIGTERM: its finalizer ran, it exited 0 by itself (not killed by
 * the signal), and its last stderr line is the summary with reason `signal`.
 */
export const exitSummary = (ended: Ended): string => {
  const summaryLine = ended.stderr.trim().split("\n").at(-1) ?? ""
  assert.equal(ended.signal, null, `killed by ${ended.signal}; stderr: ${ended.stderr}`)
  assert.equal(ended.code, 0, `exit ${ended.code}; stderr: ${ended.stderr}`)
  assert.ok(ended.stdout.includes("finalizer ran"), `no "finalizer ran" on stdout: ${ended.stdout}`)
  const summary = JSON.parse(summaryLine) as Record<string, unknown>
  assert.deepEqual(
    { event: summary.event, code: summary.code, reason: summary.reason, signal: summary.signal },
    { event: "exit", code: 0, reason: "signal", signal: "SIGTERM" }
  )
  return `SIGTERM → finalizer ran, exit 0 ${ended.elapsedMs} ms after the signal; ${summaryLine}`
}
