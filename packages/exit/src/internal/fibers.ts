import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as List from "effect/List"
import * as Option from "effect/Option"
import * as Supervisor from "effect/Supervisor"
import type * as Tracer from "effect/Tracer"

type AnyFiber = Fiber.RuntimeFiber<unknown, unknown>

/**
 * Tracks every fiber started under it, also daemons and the request fibers of a server the program started,
 * and forgets each one when it ends. Readable synchronously, so a forced exit can name them at once.
 */
export class LiveFibers extends Supervisor.AbstractSupervisor<ReadonlyArray<AnyFiber>> {
  readonly fibers: Set<AnyFiber> = new Set()

  get value(): Effect.Effect<ReadonlyArray<AnyFiber>> {
    return Effect.sync(() => Array.from(this.fibers))
  }

  override onStart<A, E, R>(
    _context: unknown,
    _effect: Effect.Effect<A, E, R>,
    _parent: Option.Option<Fiber.RuntimeFiber<unknown, unknown>>,
    fiber: Fiber.RuntimeFiber<A, E>
  ): void {
    this.fibers.add(fiber)
  }

  override onEnd<A, E>(_value: Exit.Exit<A, E>, fiber: Fiber.RuntimeFiber<A, E>): void {
    this.fibers.delete(fiber)
  }
}

export const maxEntries = 20
const maxEntryLength = 200
const maxSpanDepth = 16

const spanNames = (span: Tracer.AnySpan | undefined): Array<string> => {
  const names: Array<string> = []
  let current = span
  while (current !== undefined && current._tag === "Span" && names.length < maxSpanDepth) {
    names.unshift(current.name)
    current = Option.getOrUndefined(current.parent)
  }
  return names
}

const show = (value: unknown): string => {
  if (typeof value === "string") return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

const truncate = (text: string): string => text.length > maxEntryLength ? `${text.slice(0, maxEntryLength - 1)}…` : text

/**
 * One line naming what a fiber is doing: `#<id>`, then its spans from outermost to innermost (or its log
 * spans), then its log annotations. Spans are what `Effect.withSpan` and `Effect.fn` already put on the
 * fiber, so naming costs the program nothing.
 */
export const describe = (fiber: AnyFiber): string => {
  const parts = [FiberId.threadName(fiber.id())]
  const spans = spanNames(fiber.currentSpan)
  if (spans.length > 0) parts.push(spans.join(" > "))
  else {
    const logSpans = List.toArray(fiber.getFiberRef(FiberRef.currentLogSpan)).map((span) => span.label).reverse()
    if (logSpans.length > 0) parts.push(logSpans.join(" > "))
  }
  const annotations = Array.from(HashMap.toEntries(fiber.getFiberRef(FiberRef.currentLogAnnotations)))
  if (annotations.length > 0) parts.push(`{${annotations.map(([key, value]) => `${key}=${show(value)}`).join(", ")}}`)
  return truncate(parts.join(" "))
}

/** The program's fiber first, then the fibers it started by id; at most {@link maxEntries} lines. */
export const stillRunning = (root: AnyFiber, live: LiveFibers): ReadonlyArray<string> => {
  const fibers = [root, ...Array.from(live.fibers).sort((a, b) => a.id().id - b.id().id)].filter((fiber) =>
    fiber.unsafePoll() === null
  )
  const lines = fibers.slice(0, maxEntries).map(describe)
  if (fibers.length > maxEntries) lines.push(`… ${fibers.length - maxEntries} more`)
  return lines
}
