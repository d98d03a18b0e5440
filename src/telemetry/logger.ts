import type { FastifyServerOptions } from 'fastify'
import type { Config } from '../config/config.js'

/**
 * Paths pino censors wherever they appear in a log object. Fastify's request serializer logs no
 * headers, but a stray `{ req }`/`{ headers }` or an error carrying request options must not leak
 * the JWT, the tenant's catalog token or the signing secret.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'request.headers.authorization',
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  'catalogToken',
  '*.catalogToken',
  'catalog_token',
  '*.catalog_token',
  'secret',
  '*.secret',
  'jwt',
  '*.jwt'
]

export const REDACTED = '[redacted]'

// A bearer credential after its scheme, whatever it looks like.
const BEARER = /\b(Bearer|Basic)(\s+|%20)[^\s",;&]+/gi
// A JWT (or any JWS): base64url header that starts with `{"`, a payload, and an optional signature.
const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g
// Long runs of token alphabet (base64, base64url) are session tokens, AWS secrets, API keys...
const TOKEN_RUN_MIN = 32
const TOKEN_ALPHABET = new Uint8Array(128)
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_=-') TOKEN_ALPHABET[char.charCodeAt(0)] = 1
// ...unless they are hex digests (top hashes) or UUIDs, which are kept.
const HEX_OR_UUID = /^[0-9a-fA-F-]+$/

/**
 * Replaces long token-like runs with REDACTED. A scan by character code: the regular expression
 * /[A-Za-z0-9+_=-]{32,}/g retries at every position and cost several times a log line's JSON
 * serialisation, on every line.
 */
function redactTokenRuns (text: string): string {
  let out = ''
  let copied = 0
  let start = -1
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0
    if (code < 128 && TOKEN_ALPHABET[code] === 1) {
      if (start < 0) start = i
      continue
    }
    if (start >= 0 && i - start >= TOKEN_RUN_MIN && !HEX_OR_UUID.test(text.slice(start, i))) {
      out += `${text.slice(copied, start)}${REDACTED}`
      copied = i
    }
    start = -1
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/**
 * Replaces bearer-like strings in text that came from outside (an upstream error message, a URL):
 * a credential after "Bearer", JWT-shaped strings, and long token-like runs other than hex digests.
 */
export function redactSecrets (text: string): string {
  return redactTokenRuns(text
    .replace(BEARER, (_match, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(JWT, REDACTED))
}

/** A URL as logged: its path only; a query string may carry a token (`?access_token=<jwt>`). */
export const withoutQuery = (url: string) => url.split('?', 1)[0] ?? ''

export function loggerOptions (config: Pick<Config, 'logLevel'>): NonNullable<FastifyServerOptions['loggerInstance'] | Exclude<FastifyServerOptions['logger'], boolean>> {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      req: (req: { method?: string, url?: string }) => ({ method: req.method, url: withoutQuery(req.url ?? '') })
    },
    // Last line of defence, on every written line: whatever a field holds (a path with a JWT in it, an
    // error message quoting an upstream body), token-shaped text does not reach the log.
    hooks: { streamWrite: redactSecrets }
  }
}
