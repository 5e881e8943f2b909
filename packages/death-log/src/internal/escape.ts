/**
 * Text written by an untrusted program (a child's output, a message logged by guarded code) is data: before it
 * reaches the parent's log it is escaped as a JSON string body would be — a backslash becomes `\\`, a newline
 * `\n`, any other control character `\u00XX` — so that no logger the parent uses, however it formats, can be
 * made to end its line, start a forged one, or emit a terminal escape sequence. Double quotes stay as they are:
 * every structured logger quotes them itself, and a child's JSON line stays readable.
 *
 * Besides C0 controls and the backslash this covers DEL and the C1 controls (U+0080–U+009F: some terminals read
 * U+009B as an escape), the line and paragraph separators U+2028/U+2029 (line breaks to JavaScript and to some
 * log viewers), the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069: text that displays in
 * another order than it reads) and unpaired surrogates (which some encoders reject).
 */

const unsafe =
  // deno-lint-ignore no-control-regex
  /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const named: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f"
}

const replace = (ch: string): string => named[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`

/** `text` with backslashes and control characters escaped; the same string when there is nothing to escape. */
export const escape = (text: string): string => text.replace(unsafe, replace)
