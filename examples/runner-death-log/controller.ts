/**
 * The runners controller both modes share: it runs one pod per runner, and its reconcile loop sees every end
 * more than once, as a Kubernetes controller does.
 *
 * - The pod lifecycle: when a runner ends, its pod's terminal transition arrives as a watch event.
 * - The pool reconcile (`Supervisor.periodic`, every `resyncEvery`): lists the pods and observes every finished
 *   one again, on every list until it is gone. It is also the reaper: a pod finished for `reapAfterMs` is
 *   deleted, in the same pass and after its observation, and with the pod goes whatever the node kept of its
 *   output (`discard`) — as the kubelet deletes a container's log when its pod is deleted.
 *
 * Both paths put the pod on one work queue, and one worker reconciles each observation in turn with the mode's
 * `reconcile`: the same end, handed to it at least twice. What it does with them is the difference between the
 * modes. The run ends when every pod has been reaped and every observation reconciled.
 */
import { type Deadline, Monotonic } from "@lifeline/deadline"
import { Supervisor } from "@lifeline/supervisor"
import { Deferred, Effect, Fiber, Queue, type Scope } from "effect"
import * as Replay from "./replay.ts"

/** How a runner ended: an exit code, or the signal that ended it. */
export interface End {
  readonly exitCode: number | null
  readonly signal: string | null
}

/** Where an observation of an end came from. */
export type Via = "watch" | "list"

/** A finished pod, as the controller observes it: the runner, and the status its end left. */
export interface Ended<S extends End> {
  readonly runner: Replay.Runner
  readonly status: S
}

export interface Options<S extends End, E, R> {
  /** Runs a pod's runner to its end; its result is the pod's final status. */
  readonly start: (runner: Replay.Runner) => Effect.Effect<S, E, R>
  /** What the controller does each time it observes an end. */
  readonly reconcile: (ended: Ended<S>, via: Via) => Effect.Effect<void>
  /** Deletes what the node kept of a reaped pod's output. */
  readonly discard: (runner: Replay.Runner) => Effect.Effect<void>
}

/** What became of one pod. */
export interface PodReport<S extends End> extends Ended<S> {
  readonly observations: number
  readonly reapedAfterMs: number
}

interface Pod<S extends End> {
  readonly runner: Replay.Runner
  status: S | undefined
  endedAt: number
  observations: number
  reapedAfterMs: number
}

interface Observation<S extends End> {
  readonly pod: Pod<S>
  readonly via: Via
}

const settled = Symbol("settled")

export const run = <S extends End, E, R>(
  options: Options<S, E, R>
): Effect.Effect<ReadonlyArray<PodReport<S>>, E | Deadline.InvalidOptions, R | Scope.Scope> =>
  Effect.gen(function* () {
    const pods: ReadonlyArray<Pod<S>> = Replay.runners.map((runner) => ({
      runner,
      status: undefined,
      endedAt: 0,
      observations: 0,
      reapedAfterMs: -1
    }))
    /** The pods the API server still lists: every one until it is reaped. */
    const listed = new Set(pods)
    const work = yield* Queue.unbounded<Observation<S> | typeof settled>()
    const allReaped = yield* Deferred.make<void>()

    const worker = yield* Effect.gen(function* () {
      for (;;) {
        const item = yield* Queue.take(work)
        if (item === settled) return
        item.pod.observations++
        yield* options.reconcile({ runner: item.pod.runner, status: item.pod.status! }, item.via)
      }
    }).pipe(Effect.forkScoped)

    // #region pool-reconcile
    const poolReconcile = Effect.gen(function* () {
      const now = yield* Monotonic.now
      for (const pod of listed) {
        if (pod.status === undefined) continue
        yield* Queue.offer(work, { pod, via: "list" }) // every list observes every finished pod again
        if (now - pod.endedAt < Replay.reapAfterMs) continue
        // The reap: the pod is deleted, and the node deletes what it kept of the pod's output.
        listed.delete(pod)
        pod.reapedAfterMs = Math.round(now - pod.endedAt)
        yield* options.discard(pod.runner)
      }
      if (listed.size === 0) yield* Deferred.succeed(allReaped, undefined)
    })
    const supervisor = yield* Supervisor.make({ name: "runners-controller" })
    yield* Supervisor.periodic(supervisor, "pool-reconcile", poolReconcile, {
      every: Replay.resyncEvery,
      timeout: "1 second"
    })
    // #endregion pool-reconcile

    yield* Effect.forEach(pods, (pod) =>
      Effect.gen(function* () {
        const status = yield* options.start(pod.runner)
        const endedAt = yield* Monotonic.now
        // The terminal transition and its watch event at once: no list can see the end before the event.
        yield* Effect.sync(() => {
          pod.endedAt = endedAt
          pod.status = status
          Queue.unsafeOffer(work, { pod, via: "watch" })
        })
      }), { concurrency: "unbounded", discard: true })

    yield* Deferred.await(allReaped)
    yield* Queue.offer(work, settled)
    yield* Fiber.join(worker)
    return pods.map((pod): PodReport<S> => ({
      runner: pod.runner,
      status: pod.status!,
      observations: pod.observations,
      reapedAfterMs: pod.reapedAfterMs
    }))
  })
