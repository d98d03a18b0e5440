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

export function loggerOptions (config: Pick<Config, 'logLevel'>): NonNullable<FastifyServerOptions['loggerInstance'] | Exclude<FastifyServerOptions['logger'], boolean>> {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' }
  }
}
