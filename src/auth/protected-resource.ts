import type { FastifyInstance, FastifyRequest } from 'fastify'
import { mcpPaths } from '../http/mcp-paths.js'
import { PROTECTED_RESOURCE_PATH, publicBaseUrl } from '../http/public-url.js'
import { SCOPES } from '../sign-in/scopes.js'
import { signInStackFor } from '../sign-in/stack-context.js'

/**
 * RFC 6750 allows only printable ASCII other than `"` and `\` in error_description: anything else
 * (quotes, CR/LF, control or non-ASCII characters) could break out of the header or inject another.
 */
const headerSafe = (text: string) => text.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7e]/g, ' ')

/**
 * The challenge of a 401/403. It names `resource_metadata` where the gateway runs a sign-in server
 * for the request's stack (MCP hosts discover it from there); elsewhere tokens come from the Quilt
 * catalog only, and there is nothing to discover (see below).
 */
export function bearerChallenge (error: 'invalid_token' | 'insufficient_scope', description: string, resourceMetadataUrl?: string): string {
  const metadata = resourceMetadataUrl !== undefined ? `, resource_metadata="${headerSafe(resourceMetadataUrl)}"` : ''
  return `Bearer error="${error}", error_description="${headerSafe(description)}"${metadata}`
}

/** What an OAuth client that tries to register with the gateway is told (RFC 7591 error shape). */
export const NO_OAUTH_MESSAGE = 'This gateway does not run OAuth: it accepts bearer tokens minted by the Quilt catalog. ' +
  'Send "Authorization: Bearer <token>" with a token from the catalog (or from "quilt-mcp-gateway token" for testing); ' +
  'if a token was refused, the 401 answer says why.'

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), so MCP clients can discover how to authenticate.
 * Tokens are minted by the Quilt catalog, not by an OAuth server, so no authorization_servers are named,
 * and the metadata is not signed (hence no resource_signing_alg_values_supported).
 *
 * An MCP SDK client with an auth provider (the MCP Inspector) starts its OAuth flow on any 401, with or
 * without resource_metadata: without authorization_servers it falls back to the gateway's own origin
 * (@modelcontextprotocol/sdk client/auth.js, discoverOAuthServerInfo), finds no authorization-server
 * metadata there and POSTs /register for dynamic client registration. That POST is answered with an
 * OAuth error whose description the SDK shows as its error message, so the flow stops at once and the
 * user reads what to do instead of a failed OAuth dance.
 */
export default async function protectedResource (app: FastifyInstance) {
  const { mcpPath } = app.config
  const metadata = (request: FastifyRequest, path = mcpPath) => {
    // A stack behind Quilt Connect: Connect is where its users sign in (README, "Quilt Connect").
    // Otherwise a fronted stack's own sign-in server (src/sign-in) issues its tokens.
    const connectUrl = app.stacks.forHost(request.headers.host)?.stack.connectUrl
    const signIn = signInStackFor(request)
    const servers = connectUrl !== undefined ? { authorization_servers: [connectUrl] } : signIn !== undefined ? { authorization_servers: [signIn.issuer], scopes_supported: SCOPES } : {}
    return {
      resource: `${signIn?.origin ?? publicBaseUrl(request)}${path}`,
      bearer_methods_supported: ['header'],
      resource_name: 'Quilt MCP gateway',
      ...servers
    }
  }
  app.get(PROTECTED_RESOURCE_PATH, async (request) => metadata(request))
  // RFC 9728: one document per resource path, so the catalog's path has its own.
  for (const path of mcpPaths(mcpPath)) app.get(`${PROTECTED_RESOURCE_PATH}${path}`, async (request) => metadata(request, path))
  app.post('/register', async (_request, reply) => reply.code(400).send({ error: 'invalid_request', error_description: NO_OAUTH_MESSAGE }))
}
