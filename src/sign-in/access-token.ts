import type { FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { GatewayError } from '../http/errors.js'
import { tenantFromStackBearer, type Tenant } from '../platform/tenant.js'
import { canWrite } from './scopes.js'
import { looksSealed } from './sealing.js'
import { signInStackFor } from './stack-context.js'
import { AccessSchema } from './token.js'

export { looksSealed as isGatewayAccessToken }

/**
 * Opened tokens, so a host's repeated calls skip the decryption (a third of an MCP call's CPU). Keyed
 * by the origin the token was presented at; an entry remembers its secret and is dropped once that
 * secret is rotated out, and expires with the token.
 */
const opened = new LRUCache<string, { tenant: Tenant, aud: string[], secret: string }>({ max: 10_000 })

/**
 * The tenant of a gateway access token (a bearer kind of its own, issued at /mcp/oauth/token): opened
 * with the request's stack's key (a token of another stack, or sealed with another secret, does not
 * open), its audience naming this stack's MCP URL, unexpired. The registry bearer inside goes to the
 * stack's registry only; a read-only grant marks the tenant readOnly.
 */
export async function verifyGatewayAccessToken (request: FastifyRequest, token: string): Promise<Tenant> {
  const stack = signInStackFor(request)
  if (stack === undefined) throw new GatewayError('invalid_signature', { message: 'This host runs no sign-in server, so its access tokens are not accepted here.' })
  const path = request.routeOptions.url ?? request.url.split('?', 1)[0]
  const audience = `${stack.origin}${path}`
  const cacheKey = `${stack.served.stack.name}\n${stack.origin}\n${token}`
  const hit = opened.get(cacheKey)
  if (hit !== undefined && stack.sealer.stillOpens(hit.secret) && hit.tenant.expiresAt > Date.now() / 1000 && hit.aud.includes(audience)) return hit.tenant
  const result = await stack.sealer.openOrSayWhy('access', token)
  if ('failure' in result) {
    throw result.failure === 'expired'
      ? new GatewayError('token_expired', { message: 'The access token has expired; refresh it at the token endpoint.' })
      : new GatewayError('invalid_signature', { message: 'The access token was not issued by this stack\'s sign-in server (another stack, or a rotated secret); sign in again.' })
  }
  const claims = AccessSchema.safeParse(result.payload)
  if (!claims.success) throw new GatewayError('malformed_token')
  const c = claims.data
  if (!c.aud.includes(audience)) throw new GatewayError('invalid_audience', { message: `The access token is for ${c.aud[0] ?? 'another resource'}, not ${audience}.` })
  if (c.iss !== stack.issuer) throw new GatewayError('invalid_issuer')
  const tenant: Tenant = { ...tenantFromStackBearer(c.reg, stack.served.stack, { kind: 'sign_in', sub: c.sub, expiresAt: c.exp }), readOnly: !canWrite(c.sc) }
  opened.set(cacheKey, { tenant, aud: c.aud, secret: result.secret }, { ttl: Math.max(1, (c.exp - Date.now() / 1000) * 1000) })
  return tenant
}
