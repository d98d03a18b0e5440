import type { FastifyRequest } from 'fastify'
import { mcpPaths } from '../http/mcp-paths.js'
import { PROTECTED_RESOURCE_PATH, publicBaseUrl } from '../http/public-url.js'
import type { ServedStack } from '../auth/stacks-directory.js'
import { Sealer } from './sealing.js'

/** Where the sign-in server lives, under the gateway's own prefix (nothing collides with the catalog). */
export const OAUTH_PREFIX = '/mcp/oauth'
export const AS_METADATA_PATH = '/.well-known/oauth-authorization-server'

/** The sign-in server of one stack, as the request's host reaches it. */
export interface SignInStack {
  served: ServedStack
  sealer: Sealer
  /** e.g. https://registry.example.com */
  origin: string
  /** `${origin}/mcp/oauth`: the issuer of this stack's tokens. */
  issuer: string
  /** The stack's MCP URLs: the audience of its access tokens; `resource` must name one of them. */
  resources: string[]
  /** RFC 9728 metadata of the MCP path a request came to (MCP_PATH for any other), named in 401 challenges. */
  resourceMetadataUrl: (path?: string) => string
}

const sealers = new WeakMap<ServedStack, Sealer>()

/**
 * The request's stack and its URLs. The default stack (QUILT_REGISTRY_URL) is reached at MCP_PUBLIC_URL
 * when set; a stacks-file stack at its own host, so each stack has its own issuer and audience.
 */
export function signInStackFor (request: FastifyRequest): SignInStack | undefined {
  const { config, stacks } = request.server
  if (config.oauth === 'off') return undefined
  const served = stacks.forHost(request.headers.host)
  // A stack behind Quilt Connect signs its users in there; the built-in server only when asked (MCP_OAUTH=on).
  if (served === undefined || (served.stack.connectUrl !== undefined && config.oauth !== 'on')) return undefined
  let sealer = sealers.get(served)
  if (sealer === undefined) {
    sealer = new Sealer(served.secrets, served.stack.name)
    sealers.set(served, sealer)
  }
  const origin = served.stack.hosts.length === 0 ? publicBaseUrl(request) : publicBaseUrl(request, { ignorePublicUrl: true })
  const resources = mcpPaths(config.mcpPath).map((path) => `${origin}${path}`)
  return {
    served,
    sealer,
    origin,
    issuer: `${origin}${OAUTH_PREFIX}`,
    resources,
    resourceMetadataUrl: (path) => `${origin}${PROTECTED_RESOURCE_PATH}${path !== undefined && mcpPaths(config.mcpPath).includes(path) ? path : config.mcpPath}`
  }
}
