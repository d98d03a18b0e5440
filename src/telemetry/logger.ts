import type { FastifyServerOptions } from 'fastify'
import type { Config } from '../config/config.js'
import { REDACTED, redactRegisteredSecrets } from './log-secrets.js'

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

export { REDACTED }

// A bearer credential after its scheme, whatever it looks like.
const BEARER = /\b(Bearer|Basic)(\s+|%20)[^\s",;&]+/gi
// A JWT (or any JWS): base64url header that starts with `{"`, a payload, and an optional signature.
const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g

/**
 * Removes secrets from text bound for the log: by value, every secret the current request registered
 * (src/telemetry/log-secrets.ts); as backstops for secrets nobody registered, a credential after
 * "Bearer"/"Basic" and JWT-shaped strings. Other text (package names, hashes, paths) is left alone.
 */
export function redactSecrets (text: string): string {
  const out = redactRegisteredSecrets(text).replace(BEARER, (_match, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
  // Most lines hold no JWT: one substring search spares them the regular expression.
  return out.includes('eyJ') ? out.replace(JWT, REDACTED) : out
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
    // On every written line: whatever a field holds (an error message quoting an upstream body, a
    // path), the request's secrets and JWT-shaped text do not reach the log.
    hooks: { streamWrite: redactSecrets }
  }
}
