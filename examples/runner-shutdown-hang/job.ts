/**
 * The runner's work: hibernate `workloads` workloads, logging one line each, then say so. Everything it
 * does goes through `Effect.log`, so which logger is installed decides where the lines go.
 */
import { Effect } from "effect"

/** The line every run logs when its work is done; the incident's hang starts after it. */
export const completedMessage = "execution completed"

// What a runner typically attaches to each line: the object it acted on, a few hundred bytes of it.
const selectorOf = (step: number): string =>
  Array.from(
    { length: 12 },
    (_, i) => `app.kubernetes.io/part-${i}=svc-${(step * 31 + i * 7) % 1000}`
  ).join(",")

export const run = (workloads: number): Effect.Effect<void> =>
  Effect.gen(function* () {
    yield* Effect.log("execution started").pipe(
      Effect.annotateLogs({ workloads })
    )
    for (let step = 1; step <= workloads; step++) {
      yield* Effect.log("hibernated workload").pipe(
        Effect.annotateLogs({
          step,
          workload: `team-${step % 97}/deployment-${step}`,
          replicas: `${step % 7}->0`,
          selector: selectorOf(step)
        })
      )
    }
    yield* Effect.log(completedMessage).pipe(
      Effect.annotateLogs({ workloads })
    )
  })
