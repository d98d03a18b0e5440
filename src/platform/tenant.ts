import { createHash } from 'node:crypto'
import { z } from 'zod'
import { allowsRegistry, normaliseRegistryUrl, parseHttpUrl } from '../registry-address.js'
import { callerOf, type Caller, type CallerKind } from './caller.js'

/** The claims the gateway reads from a verified token; anything else in the token is ignored. */
const TokenClaimsSchema = z.object({
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
  /** Stable, secret-free identity of (registry, catalog token): the key of per-credential caches. */
  key: string
  /** Who is calling (registry, kind of credential, subject): the key of limits and the audit line. */
  caller: Caller
  /** Set for a catalog session token: the name of the stack whose registry issued it (see src/config/stacks.ts). */
  stack?: string
  /** Set for a sign-in granted `quilt:read` only: tools/list offers, and tools/call runs, read-only tools only. */
  readOnly?: boolean
}

export type TenantFailure = 'missing_claims' | 'registry_not_allowed'

export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22)
}

export const tenantKey = (registryUrl: string, catalogToken: string) => `${registryUrl}#${hashToken(catalogToken)}`

/** The subject of a credential that names no user: a hash of it, so each such token is its own caller. */
export const anonymousSubject = (catalogToken: string) => `token#${hashToken(catalogToken)}`

/**
 * Turns verified claims into a Tenant, or says why the token cannot be served. The allow-list stops a
 * validly signed token from steering the gateway at an arbitrary host (SSRF); see registry-address.ts.
 */
export function tenantFromClaims (claims: unknown, allowedHosts: readonly string[]): Tenant | TenantFailure {
  const parsed = TokenClaimsSchema.safeParse(claims)
  if (!parsed.success) return 'missing_claims'
  const c = parsed.data
  const registry = parseHttpUrl(c.registry_url)
  if (registry === undefined || registry.username !== '' || registry.password !== '') return 'missing_claims'
  if (!allowsRegistry(registry, allowedHosts)) return 'registry_not_allowed'
  const registryUrl = normaliseRegistryUrl(registry)
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
    key: tenantKey(registryUrl, c.catalog_token),
    caller: callerOf(registryUrl, 'claims', c.sub ?? anonymousSubject(c.catalog_token))
  }
}

/**
 * The claims of a catalog session token, the registry's own JWT: `id` is the user, `uuid` the session.
 * Only read once the token verified with its stack's secret.
 */
const SessionClaimsSchema = z.object({
  id: z.union([z.string().min(1), z.number()]),
  uuid: z.string().optional(),
  exp: z.number()
})

/**
 * A catalog session token's tenant: the bearer itself is the registry credential, sent to the stack it
 * was verified for (never to a URL the token names), and `id` identifies the user in logs and limits.
 */
export function tenantFromSession (token: string, claims: unknown, stack: { name: string, registryUrl: string, catalogUrl?: string }): Tenant | TenantFailure {
  const parsed = SessionClaimsSchema.safeParse(claims)
  if (!parsed.success) return 'missing_claims'
  return {
    sub: String(parsed.data.id),
    catalogToken: token,
    registryUrl: stack.registryUrl,
    catalogUrl: stack.catalogUrl,
    expiresAt: parsed.data.exp,
    key: tenantKey(stack.registryUrl, token),
    caller: callerOf(stack.registryUrl, 'session', String(parsed.data.id)),
    stack: stack.name
  }
}

/**
 * The tenant of a bearer the registry takes as it is and the gateway checked for one stack (a Quilt
 * API key, a Quilt Connect token): sent to that stack's registry only.
 */
export function tenantFromStackBearer (token: string, stack: { name: string, registryUrl: string, catalogUrl?: string }, identity: { kind: CallerKind, sub?: string, email?: string, expiresAt: number }): Tenant {
  return {
    sub: identity.sub,
    email: identity.email,
    catalogToken: token,
    registryUrl: stack.registryUrl,
    catalogUrl: stack.catalogUrl,
    expiresAt: identity.expiresAt,
    key: tenantKey(stack.registryUrl, token),
    caller: callerOf(stack.registryUrl, identity.kind, identity.sub ?? anonymousSubject(token)),
    stack: stack.name
  }
}

/** Expiry of a tenant whose credentials state none: 9999-12-31T23:59:59Z, still a valid Date to print. */
export const NO_KNOWN_EXPIRY = 253_402_300_799
