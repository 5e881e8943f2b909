/**
 * The option domains of fault servers, on top of `Options` from `@lifeline/deadline`: where a server listens
 * and what an HTTP reply is made of. Constructors check them when a server is made; a reply function's
 * result goes through the same checks on each request, so a bad header can never reach the runtime's HTTP
 * writer (which throws an uncaught `ERR_INVALID_HTTP_TOKEN` there and leaves the client waiting).
 *
 * @internal
 */
import type { InvalidOptions } from "@lifeline/deadline"
import { Options } from "@lifeline/deadline"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"

type Checked<A> = Either.Either<A, InvalidOptions.InvalidOptions>

/** The address a server binds unless told otherwise: loopback, the only sensible place for a test peer. */
export const defaultHost = "127.0.0.1"

export const host: Options.Check<string> = Options.optional(Options.name, defaultHost)

/** 0 asks the system for any free port. */
export const port: Options.Check<number> = Options.optional(Options.integerBetween(0, 65535), 0)

/** Only final statuses: a 1xx would leave the client waiting for the real answer. */
export const status: Options.Check<number> = Options.optional(Options.integerBetween(200, 599), 200)

/** The options bag itself: `null` or a string where an object belongs is a mistake, not "no options". */
export const object = <A extends object>(option: string, value: A): Checked<A> =>
  Predicate.isRecord(value) ? Either.right(value) : Either.left(Options.invalid(option, value, "must be an object"))

// RFC 7230 §3.2.6: token = 1*tchar
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// RFC 7230 §3.2: field-value is visible ASCII, obs-text (0x80–0xFF), spaces and tabs; never CR, LF or NUL.
const fieldValue = /^[\t\x20-\x7e\x80-\xff]*$/

export const headers: Options.Check<Readonly<Record<string, string>>> = (option, value) => {
  if (value === undefined) return Either.right({})
  if (!Predicate.isRecord(value)) {
    return Either.left(Options.invalid(option, value, "must be a record of header names to values"))
  }
  const checked: Array<[string, string]> = []
  for (const [name, text] of Object.entries(value)) {
    if (!token.test(name)) {
      return Either.left(
        Options.invalid(option, name, "must have names that are HTTP tokens: letters, digits and !#$%&'*+-.^_`|~")
      )
    }
    if (typeof text !== "string" || !fieldValue.test(text)) {
      return Either.left(
        Options.invalid(
          `${option}[${JSON.stringify(name)}]`,
          text,
          "must be a string of visible ASCII or Latin-1 characters, spaces and tabs (no CR, LF, NUL or other control character)"
        )
      )
    }
    checked.push([name, text])
  }
  // `fromEntries` defines own properties, so even a header named `__proto__` stays a header.
  return Either.right(Object.fromEntries(checked))
}

const body = (option: string, value: unknown, status: number): Checked<string | Uint8Array> => {
  if (value === undefined) return Either.right(status < 300 ? "ok" : `status ${status}`)
  return typeof value === "string" || value instanceof Uint8Array
    ? Either.right(value)
    : Either.left(Options.invalid(option, value, "must be a string or a Uint8Array"))
}

/** A reply with every field checked and its delay decoded: what the server does with one request. */
export type Plan =
  | {
    readonly kind: "respond"
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly body: string | Uint8Array
    /** Milliseconds before the answer is sent; 0 answers at once. */
    readonly delay: number
  }
  | { readonly kind: "silent" }
  | { readonly kind: "reset" }

const kind = Options.oneOf(["respond", "slow", "silent", "reset"])

/**
 * Checks a `Reply`. `option` names it in errors (`"reply"`, `"fault"`); without one, its fields are named
 * bare, as the top-level options of `ok` and `slow` are.
 */
export const reply = (option: string | undefined, value: unknown): Checked<Plan> =>
  Either.gen(function* () {
    const at = (field: string) => option === undefined ? field : `${option}.${field}`
    if (!Predicate.isRecord(value)) {
      return yield* Either.left(Options.invalid(option ?? "reply", value, "must be a Reply ({ kind, … })"))
    }
    const replyKind = yield* kind(at("kind"), value.kind)
    if (replyKind === "silent" || replyKind === "reset") return { kind: replyKind }
    const replyStatus = yield* status(at("status"), value.status)
    const delay = replyKind === "slow" ? yield* Options.nonNegativeDuration(at("delay"), value.delay) : Duration.zero
    return {
      kind: "respond",
      status: replyStatus,
      headers: yield* headers(at("headers"), value.headers),
      body: yield* body(at("body"), value.body, replyStatus),
      delay: Duration.toMillis(delay)
    }
  })
