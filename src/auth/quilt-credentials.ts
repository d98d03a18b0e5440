import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { GatewayError } from '../http/errors.js'
import { sharedBudgetStore } from '../limits/redis-budget-store.js'
import type { Tenant } from '../platform/tenant.js'
import type { ServedStack } from './stacks-directory.js'
import { API_KEY_PREFIX, ApiKeyChecker } from './api-keys.js'
import { clientAddress } from './client-address.js'
import { ConnectVerifier, sameIssuer } from './connect.js'
import { DEFAULT_FAILED_CHECK_LIMIT, FailedCheckLimit } from './failed-checks.js'

declare module 'fastify' {
  interface FastifyInstance {
    quiltCredentials: QuiltCredentials
  }
}

interface QuiltCredentials {
  /**
   * The tenant of a Quilt API key or a Quilt Connect token of the request's stack; undefined when the
   * bearer is neither (a catalog token, checked by the auth plugin). Rejects with the answer to send.
   */
  tenantFor: (token: string, served: ServedStack | undefined, request: FastifyRequest) => Promise<Tenant> | undefined
  /** Limits refused credentials per client address (shared through Redis when configured). */
  failedChecks: FailedCheckLimit
}

export interface QuiltCredentialsOptions {
  /** Refused credentials per address and window; DEFAULT_FAILED_CHECK_LIMIT when absent (tests shorten it). */
  failedCheckLimit?: { max: number, windowMs: number }
  /** How long an API key the registry accepted is trusted before it is asked again (tests shorten it). */
  apiKeyGoodTtlMs?: number
  /** How often an unknown Connect `kid` may refetch Connect's keys (tests shorten it). */
  connectKidCooldownMs?: number
}

/** A token for Connect's verifier: asymmetrically signed, or naming Connect as its issuer (then refused if HS256 or `none`). */
function looksLikeConnectToken (token: string, issuer: string): boolean {
  try {
    const { alg } = decodeProtectedHeader(token)
    if (alg === 'RS256' || alg === 'ES256') return true
    const { iss } = decodeJwt(token)
    return typeof iss === 'string' && sameIssuer(iss, issuer)
  } catch {
    return false
  }
}

/** Quilt's own credentials on a fronted stack: API keys (checked with the registry) and Connect tokens (JWKS). */
export default fp(async function quiltCredentials (app: FastifyInstance, opts: QuiltCredentialsOptions) {
  const failedChecks = new FailedCheckLimit({ ...(opts.failedCheckLimit ?? DEFAULT_FAILED_CHECK_LIMIT), store: await sharedBudgetStore(app) })
  const apiKeys = new ApiKeyChecker({
    registry: { timeoutMs: app.config.graphqlTimeoutMs, observe: (operation, outcome, seconds) => { app.metrics.registryLatency.observe({ operation, outcome }, seconds) } },
    limit: failedChecks,
    goodTtlMs: opts.apiKeyGoodTtlMs,
    log: app.log,
    observe: (outcome) => { app.metrics.credentialChecks.inc({ kind: 'api_key', outcome }) }
  })
  const connect = new Map<string, ConnectVerifier>()
  for (const { stack } of app.stacks.served) {
    const { connectUrl } = stack
    if (connectUrl === undefined) continue
    connect.set(stack.name, new ConnectVerifier({ ...stack, connectUrl }, {
      unknownKidCooldownMs: opts.connectKidCooldownMs,
      onFetchFailure: (what, err) => {
        app.log.warn({ stack: stack.name, connect: connectUrl, err: { type: err instanceof Error ? err.name : typeof err, message: err instanceof Error ? err.message : String(err) } }, `Quilt Connect ${what} could not be fetched: its tokens are answered 503 until it can`)
      }
    }))
  }

  async function verifyConnect (verifier: ConnectVerifier, token: string): Promise<Tenant> {
    try {
      const tenant = await verifier.tenantFor(token)
      app.metrics.credentialChecks.inc({ kind: 'connect', outcome: 'ok' })
      return tenant
    } catch (err) {
      const unavailable = err instanceof GatewayError && err.reason === 'connect_unavailable'
      app.metrics.credentialChecks.inc({ kind: 'connect', outcome: unavailable ? 'unavailable' : 'refused' })
      throw err
    }
  }

  app.decorate('quiltCredentials', {
    failedChecks,
    tenantFor (token, served, request) {
      if (token.startsWith(API_KEY_PREFIX)) {
        if (served === undefined) return Promise.reject(new GatewayError('api_key_not_supported'))
        return apiKeys.tenantFor(token, served.stack, clientAddress(request))
      }
      const verifier = served === undefined ? undefined : connect.get(served.stack.name)
      if (verifier === undefined || !looksLikeConnectToken(token, verifier.issuer)) return undefined
      return verifyConnect(verifier, token)
    }
  } satisfies QuiltCredentials)
}, { name: 'quilt-credentials', dependencies: ['secrets', 'metrics'] })
