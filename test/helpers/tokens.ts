import { createHmac } from 'node:crypto'

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

export interface SignOptions {
  secret?: string
  header?: Record<string, unknown>
}

/**
 * Signs a JWT by hand (HS256 over header.payload) so tests can also build the tokens no library would
 * mint: alg none, RS256 headers, wrong keys, wrong claim types.
 */
export function signToken (claims: Record<string, unknown> = {}, options: SignOptions = {}): string {
  const now = Math.floor(Date.now() / 1000)
  const payload = {
    sub: 'user-1',
    catalog_token: 'demo-catalog-token',
    registry_url: 'https://registry.example.com',
    catalog_url: 'https://catalog.example.com',
    iat: now,
    exp: now + 3600,
    ...claims
  }
  const input = `${b64({ alg: 'HS256', typ: 'JWT', ...options.header })}.${b64(payload)}`
  const signature = createHmac('sha256', options.secret ?? TEST_SECRET).update(input).digest('base64url')
  return `${input}.${signature}`
}

/** A token with `alg: none` and no signature, the classic downgrade attempt. */
export function unsignedToken (claims: Record<string, unknown> = {}): string {
  const [, payload] = signToken(claims).split('.')
  return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`
}
