/**
 * The rules every JWT secret follows, wherever it is configured (the gateway's own, each stack's), and
 * the error that stops start-up with one line. Apart from config.ts so that stacks.ts, which config.ts
 * loads, can use them without an import cycle.
 */

/** A configuration that cannot be served; the command line prints its message, one line per problem. */
export class ConfigError extends Error {
  name = 'ConfigError'
}

const MIN_SECRET_BYTES = 32

/** The example value in .env.example: public, so a gateway signing with it accepts anyone's tokens. */
const PLACEHOLDER_SECRET = 'change-me-to-a-random-secret-of-at-least-32-bytes'

/**
 * Trims surrounding whitespace: a secret saved with a trailing newline (echo into SSM, a file) is the
 * classic reason every signature fails. Short secrets are refused because HS256 with a guessable key
 * lets anyone mint tokens for any tenant.
 */
export function normaliseSecret (raw: string, origin: string): string {
  const secret = raw.trim()
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new ConfigError(`${origin}: the JWT secret must be at least ${MIN_SECRET_BYTES} bytes after trimming whitespace (got ${Buffer.byteLength(secret)})`)
  }
  if (secret === PLACEHOLDER_SECRET) {
    throw new ConfigError(`${origin}: this is the placeholder from .env.example, which anyone can read; generate a secret, e.g. with "openssl rand -base64 48"`)
  }
  return secret
}

/** Where the HS256 secret comes from: given directly, or an SSM parameter read (and re-read) at run time. */
export type SecretSource =
  | { kind: 'value', value: string }
  | { kind: 'ssm', parameter: string, region: string }
