/**
 * The one place where this package calls code its users wrote (`send`, `weigh`, `format`).
 *
 * A callback that throws synchronously is a defect like any other: it must end up in a `Cause` or an
 * `InvalidOptions`, counted and logged by whoever called it, and never leave a counter half-updated, a
 * fiber waiting for an `ensuring` that was never installed, or an exception in a caller's log call.
 */
import { Options } from "@lifeline/deadline"
import * as Effect from "effect/Effect"

/**
 * Runs an Effect-returning callback. A synchronous throw becomes a defect of the returned effect, and so does a
 * result that is not an Effect (the callback was not written against this API): in both cases the caller sees
 * an effect that dies, at the point where it would have run the callback's effect.
 */
export const suspend = <A, E, R>(option: string, evaluate: () => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    let effect: Effect.Effect<A, E, R>
    try {
      effect = evaluate()
    } catch (error) {
      return Effect.die(error)
    }
    return Effect.isEffect(effect) ? effect : Effect.die(Options.invalid(option, effect, "must return an Effect"))
  })

/**
 * Calls a callback that must return a finite number ≥ 0 (a weight). A throw or any other result throws an
 * `InvalidOptions` naming the callback and the value, before the caller has changed any state. No closure and
 * no allocation on the path where the callback behaves: this runs once per offered item.
 */
export const nonNegativeNumber = <A>(option: string, f: (input: A) => number, input: A): number => {
  let value: number
  try {
    value = f(input)
  } catch (error) {
    throw Options.invalid(option, error, `must return a finite number ≥ 0, but threw ${describe(error)}`)
  }
  // `>= 0` is false for NaN; the upper check rejects Infinity; `typeof` rejects numeric strings.
  if (typeof value === "number" && value >= 0 && value < Number.POSITIVE_INFINITY) return value
  throw Options.invalid(option, value, "must return a finite number ≥ 0")
}

/** A one-line description of a thrown value that never throws itself. */
export const describe = (error: unknown): string => {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`
    return String(error)
  } catch {
    return Object.prototype.toString.call(error)
  }
}
