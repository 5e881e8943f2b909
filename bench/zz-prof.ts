import { Effect, Logger } from "effect"
const discard = Logger.replace(Logger.defaultLogger, Logger.make(() => {}))
const lines = Array.from({ length: 500 }, (_, i) => ({ text: `line ${i}` }))
for (let r = 0; r < 3; r++) {
  let t0 = performance.now()
  Effect.runSync(Effect.gen(function*() {
    for (let k = 0; k < 2000; k++) yield* Effect.forEach(lines, (l) => Effect.logInfo(l.text), { discard: true })
  }).pipe(Effect.provide(discard)))
  console.log("forEach logInfo 1M", (performance.now() - t0).toFixed(0), "ms")
  t0 = performance.now()
  Effect.runSync(Effect.gen(function*() {
    for (let k = 0; k < 2000; k++) for (const l of lines) yield* Effect.logInfo(l.text)
  }).pipe(Effect.provide(discard)))
  console.log("loop logInfo 1M", (performance.now() - t0).toFixed(0), "ms")
  t0 = performance.now()
  Effect.runSync(Effect.gen(function*() {
    for (let k = 0; k < 2000; k++) for (const l of lines) yield* Effect.logInfo(l.text)
  }).pipe(Effect.annotateLogs({ name: "x", pid: 1, stream: "stdout" }), Effect.provide(discard)))
  console.log("loop logInfo annotated 1M", (performance.now() - t0).toFixed(0), "ms")
}
