/**
 * A user's program, written against the packed packages as they are published: bare `@lifeline/*` imports,
 * resolved through each package's `exports` to `dist/*.js` and `.d.ts`. `scripts/consumer-check.ts` copies it into
 * a temporary project outside the workspace, installs the tarballs with npm, typechecks it with `module: NodeNext`
 * and runs the compiled JavaScript on Node 20, 22 and 24, Deno and Bun.
 *
 * It makes a small real use of every package and prints `plan N`, then one line per check (`ok <check>: <what
 * was seen>` or `not ok <check>: <why>`), then `consumer on <runtime>: N passed, N failed`. `Main.run` is its
 * process boundary: the process exits 0 when every check passed and 1 otherwise, after one `{"event":"exit",…}`
 * summary line on stderr.
 *
 * Run it from the consumer folder: the child of `DeathLog.spawn` is `child.mjs` there (`../fixtures/child.mjs`).
 */
import * as Command from "@effect/platform/Command"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import * as HttpApp from "@effect/platform/HttpApp"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Deadline } from "@lifeline/deadline"
import { DeathLog, LogTail } from "@lifeline/death-log"
import { Main } from "@lifeline/exit"
import { FaultServer } from "@lifeline/fault"
import { DroppingQueue, LineBuffer } from "@lifeline/queue"
import { Supervisor } from "@lifeline/supervisor"
import { Cause, Data, Effect, Exit, FiberId, Layer, Logger, LogLevel, Option, Ref } from "effect"
import * as path from "node:path"

class CheckFailed extends Data.TaggedError("CheckFailed")<{ readonly failed: number }> {
  override get message() {
    return `${this.failed} of the consumer's checks failed`
  }
}

const globals = globalThis as { readonly Deno?: { readonly version: { readonly deno: string } } }
const versions = process.versions as Readonly<Record<string, string | undefined>>
const runtime = globals.Deno !== undefined
  ? `deno ${globals.Deno.version.deno}`
  : versions.bun !== undefined
  ? `bun ${versions.bun}`
  : `node ${process.version}`

/** A failed expectation: the check's effect fails with the reason. */
const expect = (condition: boolean, why: string): Effect.Effect<void, string> =>
  condition ? Effect.void : Effect.fail(why)

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** Polls `read` on the live clock until `done` holds; gives up after `timeoutMs`. */
const eventually = <A>(read: Effect.Effect<A>, done: (a: A) => boolean, timeoutMs = 5_000) =>
  Effect.gen(function* () {
    const start = performance.now()
    for (;;) {
      const value = yield* read
      if (done(value) || performance.now() - start > timeoutMs) return value
      yield* Effect.sleep("10 millis")
    }
  })

const deadline = Effect.gen(function* () {
  const started = performance.now()
  const exit = yield* Effect.exit(Deadline.within(Effect.never, "50 millis", { label: "consumer" }))
  const elapsed = Math.round(performance.now() - started)
  const error = failureOf(exit)
  yield* expect(error instanceof Deadline.DeadlineExceeded, `expected DeadlineExceeded, got ${String(error)}`)
  yield* expect(error?.label === "consumer", `label ${error?.label}`)
  yield* expect(elapsed >= 40 && elapsed < 2_000, `fired after ${elapsed} ms`)
  return `within(50 millis) failed with DeadlineExceeded after ${elapsed} ms`
})

const droppingQueue = Effect.gen(function* () {
  const queue = yield* DroppingQueue.make<string>({ capacity: 2, name: "consumer" })
  const accepted = [] as Array<boolean>
  for (const item of ["a", "b", "c", "d", "e"]) accepted.push(yield* DroppingQueue.offer(queue, item))
  const stats = yield* DroppingQueue.stats(queue)
  const batch = yield* DroppingQueue.takeBatch(queue, 10)
  yield* expect(accepted.join() === "true,true,false,false,false", `offers returned ${accepted.join()}`)
  yield* expect(stats.offered === 5 && stats.accepted === 2 && stats.dropped === 3, JSON.stringify(stats))
  yield* expect(batch.join() === "a,b", `took ${batch.join()}`)
  return `capacity 2: offered ${stats.offered}, accepted ${stats.accepted}, dropped ${stats.dropped}`
})

const lineBuffer = Effect.gen(function* () {
  const buffer = yield* LineBuffer.make({ maxBytes: 64, maxLineBytes: 8 })
  buffer.write("short\nthis line is too long\nna")
  buffer.write("me")
  const lines = [...buffer.take(), ...buffer.flush()]
  const seen = lines.map((l) => `${l.text}${l.truncated ? "[cut]" : ""}${l.terminated ? "" : "[open]"}`).join("|")
  yield* expect(seen === "short|this lin[cut]|name[open]", seen)
  yield* expect(buffer.stats().truncatedLines === 1, JSON.stringify(buffer.stats()))
  return `lines ${seen}`
})

const supervisor = Effect.gen(function* () {
  const runs = yield* Ref.make(0)
  const after = yield* Effect.scoped(Effect.gen(function* () {
    const sup = yield* Supervisor.make({ name: "consumer" })
    yield* Supervisor.periodic(sup, "tick", Ref.update(runs, (n) => n + 1), { every: "20 millis", timeout: "1 second" })
    const count = yield* eventually(Ref.get(runs), (n) => n >= 3)
    yield* expect(count >= 3, `${count} runs within 5 s`)
    const report = yield* Supervisor.health(sup)
    yield* expect(report.healthy && report.children[0]?.state === "running", JSON.stringify(report))
    const handler = HttpApp.toWebHandler(Supervisor.healthApp(sup))
    const response = yield* Effect.promise(() => handler(new Request("http://consumer/healthz")))
    const body = yield* Effect.promise(() => response.json() as Promise<{ healthy?: boolean }>)
    yield* expect(response.status === 200 && body.healthy === true, `/healthz ${response.status}`)
    return count
  }))
  // The loop belongs to the scope: once it has closed, no run starts.
  const closed = yield* Ref.get(runs)
  yield* Effect.sleep("100 millis")
  const later = yield* Ref.get(runs)
  yield* expect(later === closed, `${later - closed} runs after the scope closed`)
  return `periodic ran ${after}+ times, /healthz 200, stopped with its scope`
})

const faultServer = Effect.scoped(Effect.gen(function* () {
  const ok = yield* FaultServer.ok({ body: "pong" })
  const response = yield* Effect.promise(() => fetch(ok.url))
  const text = yield* Effect.promise(() => response.text())
  yield* expect(response.status === 200 && text === "pong", `${response.status} ${text}`)
  const silent = yield* FaultServer.silent()
  const exit = yield* Effect.exit(
    Deadline.tryPromise((signal) => fetch(silent.url, { signal }), { budget: "100 millis", label: "silent" })
  )
  yield* expect(failureOf(exit) instanceof Deadline.DeadlineExceeded, "fetch to a silent server did not time out")
  yield* FaultServer.awaitClose(silent).pipe(
    Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => "the client socket was not closed" })
  )
  return `ok answered ${response.status} ${text}; silent: DeadlineExceeded and the socket closed`
}))

class SendFailed extends Data.TaggedError("SendFailed") {}

const exitCode = Effect.gen(function* () {
  const codes = [
    Main.exitCode(Exit.void),
    Main.exitCode(Exit.interrupt(FiberId.none)),
    Main.exitCode(Exit.fail(new SendFailed())),
    Main.exitCode(Exit.fail(new SendFailed()), { byTag: { SendFailed: 75 } }),
    Main.exitCode(Exit.die(new Error("bug")))
  ]
  yield* expect(codes.join() === "0,0,1,75,70", codes.join())
  return `success, interruption, failure, byTag, defect → ${codes.join(", ")}`
})

const logTail = Effect.gen(function* () {
  const tail = yield* LogTail.make({ maxLines: 3 })
  for (let i = 0; i < 10; i++) tail.write(`line ${i}\n`)
  const snapshot = tail.snapshot()
  const texts = snapshot.lines.map((l) => l.text).join(",")
  yield* expect(texts === "line 7,line 8,line 9" && snapshot.droppedLines === 7, `${texts} (${snapshot.droppedLines})`)
  return `kept ${texts}, dropped ${snapshot.droppedLines}`
})

/** The child runs on this process's own runtime binary. */
const child = (...args: ReadonlyArray<string>) =>
  Command.make(
    process.execPath,
    ...(globals.Deno !== undefined ? ["run", "--quiet", "-A"] : []),
    path.resolve("child.mjs"),
    ...args
  )

const deathLog = Effect.gen(function* () {
  const records: Array<DeathLog.DeathRecord> = []
  const collect = DeathLog.layerEmitter((record) => Effect.sync(() => records.push(record)))
  const spawn = (code: number) =>
    DeathLog.spawn(child("300", String(code)), { name: "runner", tail: { maxLines: 200 } }).pipe(
      Effect.provide(collect),
      // the child's lines are logged live at Info: keep the check's output to its one line
      Logger.withMinimumLogLevel(LogLevel.Warning)
    )
  const clean = yield* spawn(0)
  const died = yield* spawn(3)
  yield* expect(!clean.abnormal && clean.exitCode === 0, `clean child: ${JSON.stringify(clean)}`)
  yield* expect(died.abnormal && died.exitCode === 3 && records.length === 1, `dead child: ${died.exitCode}`)
  const record = records[0]!
  const last = record.lines.at(-1)
  yield* expect(record.lines.length === 200 && record.droppedLines === 100 && last === "line 299", `record ${last}`)
  return `exit 3 reported once with its last ${record.lines.length} lines (dropped ${record.droppedLines}); exit 0 not`
})

const checks: ReadonlyArray<readonly [string, Effect.Effect<string, unknown, CommandExecutor>]> = [
  ["@lifeline/deadline within", deadline],
  ["@lifeline/queue DroppingQueue", droppingQueue],
  ["@lifeline/queue LineBuffer", lineBuffer],
  ["@lifeline/supervisor periodic and /healthz", supervisor],
  ["@lifeline/fault FaultServer", faultServer],
  ["@lifeline/exit Main.exitCode", exitCode],
  ["@lifeline/death-log LogTail", logTail],
  ["@lifeline/death-log DeathLog.spawn", deathLog]
]
const executor = NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer))

const program = Effect.gen(function* () {
  let passed = 0
  let failed = 0
  console.log(`plan ${checks.length}`)
  for (const [name, check] of checks) {
    const exit = yield* Effect.exit(Deadline.within(check, "20 seconds", { label: "check" }))
    if (Exit.isSuccess(exit)) {
      passed++
      console.log(`ok ${runtime} ${name}: ${exit.value}`)
    } else {
      failed++
      const why = Option.match(Cause.failureOption(exit.cause), {
        onNone: () => Cause.pretty(exit.cause),
        onSome: (e) => (typeof e === "string" ? e : Cause.pretty(exit.cause))
      })
      console.log(`not ok ${runtime} ${name}: ${why.replaceAll("\n", " ")}`)
    }
  }
  console.log(`consumer on ${runtime}: ${passed} passed, ${failed} failed`)
  if (failed > 0) return yield* new CheckFailed({ failed })
}).pipe(Effect.provide(executor))

Main.run(program, { gracePeriod: "5 seconds" })
