import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * Secrets are kept out of the logs by value: whatever touches a secret (the auth hook its bearer and
 * catalog token, the data clients the AWS credentials, and sign-in code its login codes, registry
 * sessions, refresh tokens and API keys) registers it with one call, `registerSecret(value)`, and
 * every log line written while serving that request has each registered value replaced, wherever it
 * appears: in a field, in a message quoting an upstream answer, percent- or JSON-escaped. A pattern
 * cannot tell a token from a package name (hex, UUID, short and `/`-bearing tokens all look like
 * ordinary text); a value can.
 */

export const REDACTED = '[redacted]'

/** Shorter values are not registered: replacing them would shred every line (no real credential is this short). */
const MIN_SECRET_LENGTH = 6

/** Registrations outside any request (stdio's single user, start-up) are kept process-wide: this many spellings, the oldest forgotten first. */
const MAX_PROCESS_SECRETS = 64

/** As a URL carries it; a lone surrogate (a fuzzer's bearer) has no URL spelling and is kept as written. */
function urlSpelling (value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return value
  }
}

/** The secrets of one request (or of the process), in every spelling a log line may hold them. */
export class LogSecrets {
  // Longest first, so a secret that contains another is replaced whole.
  readonly #spellings: string[] = []
  // The same, oldest first: which to forget when full.
  readonly #added: string[] = []
  readonly #max: number

  constructor (max = Number.POSITIVE_INFINITY) {
    this.#max = max
  }

  add (value: string | null | undefined): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return
    // As written, as JSON writes it inside a string (quotes, backslashes, controls), as a URL carries it.
    for (const spelling of new Set([value, JSON.stringify(value).slice(1, -1), urlSpelling(value)])) {
      if (this.#spellings.includes(spelling)) continue
      if (this.#added.length >= this.#max) this.#spellings.splice(this.#spellings.indexOf(this.#added.shift()!), 1)
      this.#added.push(spelling)
      const at = this.#spellings.findIndex((known) => known.length < spelling.length)
      this.#spellings.splice(at < 0 ? this.#spellings.length : at, 0, spelling)
    }
  }

  /** The text with every registered secret replaced by REDACTED. */
  redact (text: string): string {
    let out = text
    for (const spelling of this.#spellings) {
      if (out.includes(spelling)) out = out.split(spelling).join(REDACTED)
    }
    return out
  }

  get size (): number {
    return this.#spellings.length
  }
}

const requestSecrets = new AsyncLocalStorage<LogSecrets>()
const processSecrets = new LogSecrets(MAX_PROCESS_SECRETS)

/** Runs `fn` (and everything it starts) with `secrets` as the request's set: what it registers, its log lines lose. */
export function runWithLogSecrets<T> (secrets: LogSecrets, fn: () => T): T {
  return requestSecrets.run(secrets, fn)
}

/**
 * Keeps `value` out of every log line of the current request (outside a request: of the process).
 * Cheap enough to call for every secret a request touches.
 */
export function registerSecret (value: string | null | undefined): void {
  const secrets = requestSecrets.getStore() ?? processSecrets
  secrets.add(value)
}

/** The text with the secrets registered for the current request and for the process replaced. */
export function redactRegisteredSecrets (text: string): string {
  const scoped = requestSecrets.getStore()
  const out = processSecrets.size === 0 ? text : processSecrets.redact(text)
  return scoped === undefined ? out : scoped.redact(out)
}
