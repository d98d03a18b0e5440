import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import { GatewayError, type ErrorReason } from '../http/errors.js'
import { tenantFromClaims, tenantFromSession, type Tenant } from '../platform/tenant.js'
import type { ServedStack } from './stacks-directory.js'
import type { SecretStore } from './secret-store.js'
import { isGatewayAccessToken, verifyGatewayAccessToken } from '../sign-in/access-token.js'
import { registerSecret } from '../telemetry/log-secrets.js'
import { checkTokenLifetime } from './token-lifetime.js'

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>
  }
  interface FastifyRequest {
    tenant: Tenant | null
  }
}

interface AuthPluginOptions {
  issuer?: string
  audience?: string
  allowedRegistryHosts: readonly string[]
  maxTokenLifetimeSeconds: number
}

/** Tolerated clock difference between the catalog that mints tokens and this gateway. */
const CLOCK_SKEW_SECONDS = 30

const BEARER = /^Bearer +([^\s]+) *$/i

function reasonFor (err: unknown): ErrorReason {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
  const message = err instanceof Error ? err.message : ''
  switch (code) {
    case 'FAST_JWT_INVALID_SIGNATURE': return 'invalid_signature'
    case 'FAST_JWT_INVALID_ALGORITHM':
    case 'FAST_JWT_MISSING_SIGNATURE': return 'unsupported_algorithm'
    case 'FAST_JWT_EXPIRED': return 'token_expired'
    case 'FAST_JWT_INACTIVE': return 'token_not_yet_valid'
    case 'FAST_JWT_MISSING_REQUIRED_CLAIM': return 'missing_expiry'
    case 'FAST_JWT_INVALID_CLAIM_VALUE':
      if (/\biss\b/.test(message)) return 'invalid_issuer'
      if (/\baud\b/.test(message)) return 'invalid_audience'
      return 'malformed_token'
    default: return 'malformed_token'
  }
}

function unauthorized (reason: ErrorReason, message?: string): GatewayError {
  return new GatewayError(reason, { message })
}

/**
 * Verifies the bearer JWT and attaches the caller's Tenant to the request. Runs in `onRequest`, before
 * the body is read: a request with no or a bad token is answered from its headers alone, so even a
 * 20 MB upload gets a clean 401 instead of a body-limit error and a reset connection.
 */
export default fp(async function auth (app: FastifyInstance, opts: AuthPluginOptions) {
  await app.register(fastifyJwt, {
    // Keys are passed per verification (current and previous secret, see SecretStore); this
    // callback is never reached because we only use app.jwt.verify with an explicit key.
    secret: (_request, _token, callback) => { callback(new Error('verification key is passed explicitly'), undefined) },
    // Issuer and audience are checked below for claims tokens only: the registry's session tokens carry neither.
    verify: {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_SKEW_SECONDS * 1000
    }
  })

  // A configured stack's registry is one a claims token may name too.
  const allowedRegistryHosts = [...opts.allowedRegistryHosts, ...app.stacks.registryHosts]

  // Accepted tokens, so a client's repeated calls skip signature, claims and tenant work. An entry
  // remembers the secret that verified it and is dropped once that secret is rotated out; time
  // checks run on every hit, and the entry expires with the token. Keyed by stack too: a session
  // token's tenant depends on the stack its request's host selects.
  const accepted = new LRUCache<string, { tenant: Tenant, store: SecretStore, secret: string, notBefore: number }>({ max: 10_000 })

  /** Tries the gateway's secret, then the stack's: claims tokens and session tokens may arrive on one host. */
  function verify (token: string, stores: readonly SecretStore[]): { claims: Record<string, unknown>, store: SecretStore, secret: string } {
    let failure: unknown
    for (const store of stores) {
      for (const key of store.candidates) {
        try {
          return { claims: app.jwt.verify(token, { key }), store, secret: key }
        } catch (err) {
          failure = err
          // Only a signature mismatch may be cured by another secret; anything else is final.
          if (reasonFor(err) !== 'invalid_signature') throw unauthorized(reasonFor(err))
        }
      }
    }
    throw unauthorized(reasonFor(failure))
  }

  function checkIssuerAndAudience (claims: Record<string, unknown>): void {
    if (opts.issuer !== undefined && claims.iss !== opts.issuer) throw unauthorized('invalid_issuer')
    const { aud } = claims
    if (opts.audience !== undefined && aud !== opts.audience && !(Array.isArray(aud) && aud.includes(opts.audience))) throw unauthorized('invalid_audience')
  }

  /**
   * A token with `catalog_token` is a claims token and must be signed with the gateway's secret: a
   * stack's secret is the registry's, which mints session tokens only, so it may not choose a registry.
   * Any other token is a session token of the request's stack, when its secret signed it.
   */
  function tenantFor (token: string, claims: Record<string, unknown>, signer: SecretStore, served: ServedStack | undefined): Tenant {
    if ('catalog_token' in claims) {
      if (signer !== app.secrets) throw unauthorized('invalid_signature', 'A token with catalog_token claims must be signed with the gateway\'s secret.')
      checkIssuerAndAudience(claims)
      const tenant = tenantFromClaims(claims, allowedRegistryHosts)
      if (typeof tenant === 'string') throw new GatewayError(tenant)
      return tenant
    }
    if (served === undefined || signer !== served.secrets) {
      throw new GatewayError('missing_claims', { message: 'The token has no catalog_token claims, and it is not a session token of a Quilt stack this gateway fronts at this host.' })
    }
    const tenant = tenantFromSession(token, claims, served.stack)
    if (typeof tenant === 'string') throw new GatewayError(tenant, { message: 'The session token lacks its user id (id) claim.' })
    return tenant
  }

  app.decorateRequest('tenant', null)
  app.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    const header = request.headers.authorization
    if (header === undefined || header.trim() === '') throw unauthorized('missing_token')
    const match = BEARER.exec(header)
    if (match === null) throw unauthorized('invalid_header')
    const token = match[1]!
    // Valid or not, whatever its kind, the bearer stays out of this request's log lines (a registry may echo it back).
    registerSecret(token)
    const served = app.stacks.forHost(request.headers.host)
    // Quilt API keys and Connect tokens need no secret of ours: their own checks (src/auth/).
    const quilt = app.quiltCredentials.tenantFor(token, served, request)
    if (quilt !== undefined) {
      request.tenant = await quilt
      return
    }
    const stores = served === undefined || served.secrets === app.secrets ? [app.secrets] : [app.secrets, served.secrets]
    if (!stores.every((store) => store.ready)) throw new GatewayError('secret_unavailable', { headers: { 'retry-after': '5' } })
    const now = Date.now() / 1000
    const cacheKey = served === undefined ? token : `${served.stack.name}\n${token}`
    const hit = accepted.get(cacheKey)
    if (hit !== undefined && hit.store.isCandidate(hit.secret) && now <= hit.tenant.expiresAt + CLOCK_SKEW_SECONDS && now >= hit.notBefore - CLOCK_SKEW_SECONDS) {
      registerSecret(hit.tenant.catalogToken)
      request.tenant = hit.tenant
      return
    }
    // A gateway access token (from the stack's sign-in server, src/sign-in): sealed, not an HS256 JWT.
    if (isGatewayAccessToken(token)) {
      const tenant = await verifyGatewayAccessToken(request, token)
      registerSecret(tenant.catalogToken)
      request.tenant = tenant
      return
    }
    const { claims, store, secret } = verify(token, stores)
    const { iat, nbf } = claims
    // fast-jwt checks iat only together with maxAge; a token issued in the future is not valid yet.
    if (typeof iat === 'number' && iat > now + CLOCK_SKEW_SECONDS) throw unauthorized('token_not_yet_valid')
    checkTokenLifetime(claims, now, opts.maxTokenLifetimeSeconds)
    const tenant = tenantFor(token, claims, store, served)
    registerSecret(tenant.catalogToken)
    accepted.set(cacheKey, { tenant, store, secret, notBefore: Math.max(typeof iat === 'number' ? iat : 0, typeof nbf === 'number' ? nbf : 0) }, { ttl: Math.max(1, (tenant.expiresAt + CLOCK_SKEW_SECONDS - now) * 1000) })
    request.tenant = tenant
  })
}, { name: 'auth', dependencies: ['secrets', 'quilt-credentials'] })
