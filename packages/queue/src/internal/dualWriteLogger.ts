import * as Cause from "effect/Cause"
import * as HashMap from "effect/HashMap"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type * as api from "../DualWriteLogger.ts"
import type * as Shipper from "../Shipper.ts"
import { selfAnnotation, ShipperImpl } from "./shipper/state.ts"

type LogOptions = Logger.Logger.Options<unknown>

const writeStdout = (line: string): void => {
  globalThis.console.log(line)
}

const stdout: Logger.Logger<unknown, void> = Logger.make((options) => writeStdout(Logger.logfmtLogger.log(options)))

const identity = <A>(a: A): A => a

/** Whether the line was logged on the fibers of the shipper named `name` (see `Shipper.selfAnnotation`). */
const isOwnLine = (options: LogOptions, name: string): boolean => {
  if (HashMap.size(options.annotations) === 0) return false
  const marker = HashMap.get(options.annotations, selfAnnotation)
  return Option.isSome(marker) && marker.value === name
}

/**
 * Offers remote copies to a shipper. Nothing on this side may fail the caller's log call: a `format` or
 * `weigh` that throws (or anything else that does) loses the remote copy only. The loss is counted in the
 * shipper's `rejected` (and its queue's drop metric) and reported on the local logger — at the 1st, 2nd, 4th,
 * 8th… loss, so that a `format` that always throws cannot double the local output.
 */
const remote = <I, A>(shipper: Shipper.Shipper<A>, local: Logger.Logger<unknown, unknown>, build: (input: I) => A) => {
  const name = shipper.name
  let losses = 0
  const submit = shipper instanceof ShipperImpl
    // Builds the item only when the queue can take it: a stalled remote costs the call site a counter.
    ? (input: I) => shipper.unsafeSubmitWith(build, input)
    : (input: I) => shipper.unsafeSubmit(build(input))

  const reportLoss = (options: LogOptions, error: unknown) => {
    losses++
    if ((losses & (losses - 1)) !== 0) return
    try {
      local.log({
        ...options,
        logLevel: LogLevel.Warning,
        message: "dual-write logger: remote copy of a log line lost",
        cause: Cause.die(error),
        annotations: HashMap.make(["shipper", name], ["lost", losses])
      })
    } catch {
      // The line itself was written; a local logger that cannot take this report has nothing better to offer.
    }
  }

  return (options: LogOptions, input: I): void => {
    if (isOwnLine(options, name)) return
    try {
      submit(input)
    } catch (error) {
      reportLoss(options, error)
    }
  }
}

const build = <A>(
  shipper: Shipper.Shipper<A>,
  local: Logger.Logger<unknown, unknown> | undefined,
  format: (options: LogOptions) => A
): Logger.Logger<unknown, void> => {
  const target = local ?? stdout
  const ship = remote(shipper, target, format)
  return Logger.make((options) => {
    target.log(options)
    ship(options, options)
  })
}

/** Without `format`, the shipper takes strings: the logfmt line is what is shipped. */
const isStringOptions = <A>(options: api.StringOptions | api.FormatOptions<A>): options is api.StringOptions =>
  options.format === undefined

const makeLogger = <A>(options: api.StringOptions | api.FormatOptions<A>): Logger.Logger<unknown, void> => {
  if (!isStringOptions(options)) return build(options.shipper, options.local, options.format)
  if (options.local !== undefined) return build(options.shipper, options.local, Logger.logfmtLogger.log)
  // One formatting for both sides: the stdout line is the shipped line.
  const ship = remote(options.shipper, stdout, identity<string>)
  return Logger.make((o) => {
    const line = Logger.logfmtLogger.log(o)
    writeStdout(line)
    ship(o, line)
  })
}

export function make(options: api.StringOptions): Logger.Logger<unknown, void>
export function make<A>(options: api.FormatOptions<A>): Logger.Logger<unknown, void>
export function make<A>(options: api.StringOptions | api.FormatOptions<A>): Logger.Logger<unknown, void> {
  return makeLogger(options)
}

export function layer(options: api.StringOptions): Layer.Layer<never>
export function layer<A>(options: api.FormatOptions<A>): Layer.Layer<never>
export function layer<A>(options: api.StringOptions | api.FormatOptions<A>): Layer.Layer<never> {
  return Logger.replace(Logger.defaultLogger, makeLogger(options))
}
