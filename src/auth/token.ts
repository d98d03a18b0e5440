import { createHmac } from 'node:crypto'

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * Signs claims as an HS256 JWT. The gateway only verifies tokens (the catalog mints them); this is for
 * the `token` command and tests. The header is overridable so tests can forge the tokens that must fail.
 */
export function signHs256 (claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = {}): string {
  const input = `${base64url({ alg: 'HS256', typ: 'JWT', ...header })}.${base64url(claims)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

/** Parses a lifetime such as "90", "90s", "15m", "12h" or "7d" into seconds; undefined when invalid. */
export function parseTtl (value: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim())
  if (match === null) return undefined
  const seconds = Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const)[match[2] as '' | 's' | 'm' | 'h' | 'd']
  return seconds > 0 ? seconds : undefined
}
