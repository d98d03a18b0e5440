import type { FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.js'
import { hashToken, type Tenant } from '../platform/tenant.js'
import { canWrite } from './scopes.js'
import { looksSealed } from './sealing.js'
import { signInStackFor } from './stack-context.js'
import { AccessSchema } from './token.js'

export { looksSealed as isGatewayAccessToken }

/**
 * The tenant of a gateway access token (a bearer kind of its own, issued at /mcp/oauth/token): opened
 * with the request's stack's key (a token of another stack, or sealed with another secret, does not
 * open), its audience naming this stack's MCP URL, unexpired. The registry bearer inside goes to the
 * stack's registry only; a read-only grant marks the tenant readOnly.
 */
export async function verifyGatewayAccessToken (request: FastifyRequest, token: string): Promise<Tenant> {
  const stack = signInStackFor(request)
  if (stack === undefined) throw new GatewayError('invalid_signature', { message: 'This host runs no sign-in server, so its access tokens are not accepted here.' })
  const opened = await stack.sealer.openOrSayWhy('access', token)
  if ('failure' in opened) {
    throw opened.failure === 'expired'
      ? new GatewayError('token_expired', { message: 'The access token has expired; refresh it at the token endpoint.' })
      : new GatewayError('invalid_signature', { message: 'The access token was not issued by this stack\'s sign-in server (another stack, or a rotated secret); sign in again.' })
  }
  const claims = AccessSchema.safeParse(opened.payload)
  if (!claims.success) throw new GatewayError('malformed_token')
  const c = claims.data
  const path = request.routeOptions.url ?? request.url.split('?', 1)[0]
  if (!c.aud.includes(`${stack.origin}${path}`)) throw new GatewayError('invalid_audience', { message: `The access token is for ${c.aud[0] ?? 'another resource'}, not ${stack.origin}${path}.` })
  if (c.iss !== stack.issuer) throw new GatewayError('invalid_issuer')
  const { registryUrl, catalogUrl, name } = stack.served.stack
  return {
    sub: c.sub,
    catalogToken: c.reg,
    registryUrl,
    catalogUrl,
    expiresAt: c.exp,
    key: `${registryUrl}#${hashToken(c.reg)}`,
    stack: name,
    readOnly: !canWrite(c.sc)
  }
}
