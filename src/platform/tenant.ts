import { createHash } from 'node:crypto'
import { z } from 'zod'

/** The claims the gateway reads from a verified token; anything else in the token is ignored. */
export const TokenClaimsSchema = z.object({
  catalog_token: z.string().min(1),
  registry_url: z.string().min(1),
  catalog_url: z.string().optional(),
  sub: z.string().optional(),
  email: z.string().optional(),
  buckets: z.array(z.string()).optional(),
  roles: z.array(z.string()).optional(),
  permissions: z.array(z.string()).optional(),
  exp: z.number()
})

export type TokenClaims = z.infer<typeof TokenClaimsSchema>

/** One caller's view of one Quilt stack, built fresh from each verified token. */
export interface Tenant {
  sub?: string
  email?: string
  buckets?: string[]
  roles?: string[]
  permissions?: string[]
  /** Bearer credential for the registry. Never logged, never returned to clients. */
  catalogToken: string
  /** Origin of the registry, no trailing slash; GraphQL lives at `${registryUrl}/graphql`. */
  registryUrl: string
  catalogUrl?: string
  /** Seconds since the epoch, from `exp`. */
  expiresAt: number
  /** Stable, secret-free identity of (registry, catalog token): cache key and log/rate-limit key. */
  key: string
}

export type TenantFailure = 'missing_claims' | 'registry_not_allowed'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

function parseHttpUrl (value: string): URL | undefined {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22)
}

/**
 * Turns verified claims into a Tenant, or says why the token cannot be served. The allow-list stops a
 * validly signed token from steering the gateway at an arbitrary host (SSRF); without one, any https
 * host is accepted and plain http only on loopback (local registries, tests, the demo).
 */
export function tenantFromClaims (claims: unknown, allowedHosts: readonly string[]): Tenant | TenantFailure {
  const parsed = TokenClaimsSchema.safeParse(claims)
  if (!parsed.success) return 'missing_claims'
  const c = parsed.data
  const registry = parseHttpUrl(c.registry_url)
  if (registry === undefined || registry.username !== '' || registry.password !== '') return 'missing_claims'
  const loopback = LOOPBACK_HOSTS.has(registry.hostname)
  if (allowedHosts.length > 0 ? !allowedHosts.includes(registry.host) : (registry.protocol !== 'https:' && !loopback)) {
    return 'registry_not_allowed'
  }
  if (registry.protocol === 'http:' && !loopback) return 'registry_not_allowed'
  const registryUrl = `${registry.origin}${registry.pathname.replace(/\/+$/, '')}`
  const catalogUrl = c.catalog_url !== undefined ? parseHttpUrl(c.catalog_url)?.href.replace(/\/+$/, '') : undefined
  return {
    sub: c.sub,
    email: c.email,
    buckets: c.buckets,
    roles: c.roles,
    permissions: c.permissions,
    catalogToken: c.catalog_token,
    registryUrl,
    catalogUrl,
    expiresAt: c.exp,
    key: `${registryUrl}#${hashToken(c.catalog_token)}`
  }
}
