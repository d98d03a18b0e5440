import type { FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'

/**
 * Paths pino censors wherever they appear in a log object. Fastify's request serializer logs no
 * headers, but a stray `{ req }`/`{ headers }` or an error carrying request options must not leak
 * the JWT, the tenant's catalog token or the signing secret.
 */
export const REDACT_PATHS = [
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
// Long runs of token alphabet (base64, base64url): session tokens, AWS secrets, API keys.
const TOKEN_LIKE = /[A-Za-z0-9+_=-]{32,}/g
// What such a run may be instead and is kept: hex digests (top hashes) and UUIDs, lower or upper case.
const HEX_OR_UUID = /^[0-9a-fA-F-]+$/

/**
 * Replaces bearer-like strings in text that came from outside (an upstream error message, a URL):
 * a credential after "Bearer", JWT-shaped strings, and long token-like runs other than hex digests.
 */
export function redactSecrets (text: string): string {
  return text
    .replace(BEARER, (_match, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(TOKEN_LIKE, (run) => HEX_OR_UUID.test(run) ? run : REDACTED)
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
