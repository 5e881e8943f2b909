import * as HashMap from "effect/HashMap"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as shipperInternal from "./shipper.ts"

export interface Options<A> {
  readonly shipper: shipperInternal.Shipper<A>
  readonly local?: Logger.Logger<unknown, unknown> | undefined
  readonly format?:
    | ((options: Logger.Logger.Options<unknown>) => A)
    | undefined
}

const writeStdout = (line: string): void => {
  globalThis.console.log(line)
}

const isOwnLine = (
  options: Logger.Logger.Options<unknown>,
  name: string
): boolean => {
  if (HashMap.size(options.annotations) === 0) return false
  const marker = HashMap.get(
    options.annotations,
    shipperInternal.selfAnnotation
  )
  return Option.isSome(marker) && marker.value === name
}

export const make = <A>(options: Options<A>): Logger.Logger<unknown, void> => {
  const shipper = options.shipper
  const name = shipper.name
  const lazy = (shipper as { unsafeSubmitLazy?: unknown }).unsafeSubmitLazy === undefined
    ? (make: () => A) => shipper.unsafeSubmit(make())
    : (make: () => A) =>
      (shipper as unknown as { unsafeSubmitLazy(make: () => A): boolean })
        .unsafeSubmitLazy(make)
  const format = (options.format ?? Logger.logfmtLogger.log) as (
    o: Logger.Logger.Options<unknown>
  ) => A
  if (options.local === undefined && options.format === undefined) {
    // One formatting for both sides: the stdout line is the shipped line.
    return Logger.make((o) => {
      const line = Logger.logfmtLogger.log(o)
      writeStdout(line)
      if (!isOwnLine(o, name)) lazy(() => line as A)
    })
  }
  const local = options.local ??
    Logger.make((o) => writeStdout(Logger.logfmtLogger.log(o)))
  return Logger.make((o) => {
    local.log(o)
    if (!isOwnLine(o, name)) lazy(() => format(o))
  })
}

export const layer = <A>(options: Options<A>): Layer.Layer<never> => Logger.replace(Logger.defaultLogger, make(options))
