import * as Command from "@effect/platform/Command"
import { Options } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import type * as api from "../DeathLog.ts"
import * as logTail from "./logTail.ts"

export const defaultKillAfter = Duration.seconds(5)

const killAfterCheck = Options.optional(
  Options.nonNegativeDuration,
  defaultKillAfter
)
const classifyCheck = Options.optional(Options.callable, undefined)

/** The default `classify`: exit code 0 is clean; any other code, or an end by a signal, is abnormal. */
export const defaultClassify = (end: api.End): api.Classification => end.exitCode === 0 ? "clean" : "abnormal"

/** Tags become annotations of every record: an object whose values are strings. */
const decodeTags = (
  option: string,
  value: unknown
): Readonly<Record<string, string>> => {
  if (value === undefined) return {}
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw Options.invalid(option, value, "must be an object of strings")
  }
  const tags: Record<string, string> = {}
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag !== "string") {
      throw Options.invalid(`${option}.${key}`, tag, "must be a string")
    }
    tags[key] = tag
  }
  return Object.freeze(tags)
}

const decodeObject = (option: string, value: unknown): void => {
  if (typeof value !== "object" || value === null) {
    throw Options.invalid(option, value, "must be an object")
  }
}

export interface SpawnSpec {
  readonly name: string
  readonly tags: Readonly<Record<string, string>>
  readonly classify: (end: api.End) => unknown
  readonly tail: logTail.Spec
  readonly killAfter: Duration.Duration
}

export const decodeSpawn = (
  command: unknown,
  options: api.SpawnOptions
): SpawnSpec => {
  if (!Command.isCommand(command)) {
    throw Options.invalid("command", command, "must be a Command")
  }
  decodeObject("options", options)
  const classify = Options.getOrThrow(
    classifyCheck("classify", options.classify)
  )
  return {
    name: Options.getOrThrow(Options.name("name", options.name)),
    tags: decodeTags("tags", options.tags),
    classify: classify === undefined ? defaultClassify : classify as (end: api.End) => unknown,
    tail: logTail.decode(options.tail, "tail."),
    killAfter: Options.getOrThrow(
      killAfterCheck("killAfter", options.killAfter)
    )
  }
}

export interface GuardSpec {
  readonly name: string
  readonly tags: Readonly<Record<string, string>>
  readonly tail: logTail.Spec
}

export const decodeGuard = (options: api.GuardOptions): GuardSpec => {
  decodeObject("options", options)
  return {
    name: Options.getOrThrow(Options.name("name", options.name)),
    tags: decodeTags("tags", options.tags),
    tail: logTail.decode(options.tail, "tail.")
  }
}
