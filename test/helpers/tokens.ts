import { signHs256 } from '../../src/auth/token.js'

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

export interface SignOptions {
  secret?: string
  header?: Record<string, unknown>
}

/** A gateway token for tests: sensible claims, overridable (undefined removes a claim), any header. */
export function signToken (claims: Record<string, unknown> = {}, options: SignOptions = {}): string {
  const now = Math.floor(Date.now() / 1000)
  return signHs256({
    sub: 'user-1',
    catalog_token: 'demo-catalog-token',
    registry_url: 'https://registry.example.com',
    catalog_url: 'https://catalog.example.com',
    iat: now,
    exp: now + 3600,
    ...claims
  }, options.secret ?? TEST_SECRET, options.header)
}

/** A token with `alg: none` and no signature, the classic downgrade attempt. */
export function unsignedToken (claims: Record<string, unknown> = {}): string {
  const [, payload] = signToken(claims).split('.')
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`
}
