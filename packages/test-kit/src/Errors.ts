/**
 * Assertions on synchronous throws, for the `unsafe*` APIs that throw a typed error instead of failing an Effect.
 */

/**
 * Runs `evaluate`, which must throw an instance of `type`, and returns what it threw; throws an `Error` that
 * says what happened instead (another value thrown, or nothing).
 */
export const thrownBy = <E>(evaluate: () => unknown, type: new (...args: never) => E): E => {
  try {
    evaluate()
  } catch (error) {
    if (error instanceof type) return error
    throw new Error(`expected ${type.name} to be thrown, got ${String(error)}`)
  }
  throw new Error(`expected ${type.name} to be thrown, but nothing was thrown`)
}
