import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import { GatewayError, type ErrorReason } from '../errors.js'
import { tenantFromClaims, type Tenant } from '../platform/tenant.js'
import { checkTokenLifetime } from './token-lifetime.js'

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>
  }
  interface FastifyRequest {
    tenant: Tenant | null
  }
}

export interface AuthPluginOptions {
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
    verify: {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_SKEW_SECONDS * 1000,
      allowedIss: opts.issuer,
      allowedAud: opts.audience
    }
  })

  // Accepted tokens, so a client's repeated calls skip signature, claims and tenant work. An entry
  // remembers the secret that verified it and is dropped once that secret is rotated out; time
  // checks run on every hit, and the entry expires with the token.
  const accepted = new LRUCache<string, { tenant: Tenant, secret: string, notBefore: number }>({ max: 10_000 })

  function verify (token: string): { claims: unknown, secret: string } {
    let failure: unknown
    for (const key of app.secrets.candidates) {
      try {
        return { claims: app.jwt.verify(token, { key }), secret: key }
      } catch (err) {
        failure = err
        // Only a signature mismatch may be cured by the previous secret; anything else is final.
        if (reasonFor(err) !== 'invalid_signature') break
      }
    }
    throw unauthorized(reasonFor(failure))
  }

  app.decorateRequest('tenant', null)
  app.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    const header = request.headers.authorization
    if (header === undefined || header.trim() === '') throw unauthorized('missing_token')
    const match = BEARER.exec(header)
    if (match === null) throw unauthorized('invalid_header')
    if (!app.secrets.ready) throw new GatewayError('secret_unavailable', { headers: { 'retry-after': '5' } })
    const token = match[1]!
    const now = Date.now() / 1000
    const hit = accepted.get(token)
    if (hit !== undefined && app.secrets.isCandidate(hit.secret) && now <= hit.tenant.expiresAt + CLOCK_SKEW_SECONDS && now >= hit.notBefore - CLOCK_SKEW_SECONDS) {
      request.tenant = hit.tenant
      return
    }
    const { claims, secret } = verify(token)
    const { iat, nbf } = claims as { iat?: unknown, nbf?: unknown }
    // fast-jwt checks iat only together with maxAge; a token issued in the future is not valid yet.
    if (typeof iat === 'number' && iat > now + CLOCK_SKEW_SECONDS) throw unauthorized('token_not_yet_valid')
    checkTokenLifetime(claims as { exp?: unknown, iat?: unknown }, now, opts.maxTokenLifetimeSeconds)
    const tenant = tenantFromClaims(claims, opts.allowedRegistryHosts)
    if (typeof tenant === 'string') throw new GatewayError(tenant)
    accepted.set(token, { tenant, secret, notBefore: Math.max(typeof iat === 'number' ? iat : 0, typeof nbf === 'number' ? nbf : 0) }, { ttl: Math.max(1, (tenant.expiresAt + CLOCK_SKEW_SECONDS - now) * 1000) })
    request.tenant = tenant
  })
}, { name: 'auth', dependencies: ['secrets'] })
