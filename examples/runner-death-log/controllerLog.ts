/**
 * The controller's durable output: its own stdout, which outlives every runner and which the cluster's log
 * collector ships, so a record written there is still there when the runner's pod is long gone.
 *
 * Every entry is one line in logfmt (`Logger.logfmtLogger`: `timestamp=… level=… message="…" key=value…`, a
 * value with spaces or quotes JSON-quoted), written to stdout at once, and kept, so that the audit reads back
 * exactly the lines that went out, as a log query would.
 */
import { Layer, Logger } from "effect"

export interface ControllerLog {
  /** Installs the logger for everything the controller does. */
  readonly layer: Layer.Layer<never>
  /** The lines written so far. */
  readonly lines: () => ReadonlyArray<string>
}

export const make = (): ControllerLog => {
  const lines: Array<string> = []
  const logger = Logger.make<unknown, void>((options) => {
    const line = Logger.logfmtLogger.log(options)
    process.stdout.write(line + "\n")
    lines.push(line)
  })
  return { layer: Logger.replace(Logger.defaultLogger, logger), lines: () => lines }
}
