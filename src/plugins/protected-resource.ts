import type { FastifyInstance, FastifyRequest } from 'fastify'
import { mcpPaths } from '../mcp-paths.js'
import { PROTECTED_RESOURCE_PATH, publicBaseUrl } from '../public-url.js'

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), so MCP clients can discover how to authenticate.
 * Tokens are minted by the Quilt catalog, not by an OAuth server, so no authorization_servers are named.
 */
export default async function protectedResource (app: FastifyInstance) {
  const { publicUrl, mcpPath } = app.config
  const metadata = (request: FastifyRequest, path = mcpPath) => ({
    resource: `${publicBaseUrl(request, publicUrl)}${path}`,
    bearer_methods_supported: ['header'],
    resource_name: 'Quilt MCP gateway',
    resource_signing_alg_values_supported: ['HS256']
  })
  app.get(PROTECTED_RESOURCE_PATH, async (request) => metadata(request))
  // RFC 9728: one document per resource path, so the catalog's path has its own.
  for (const path of mcpPaths(mcpPath)) app.get(`${PROTECTED_RESOURCE_PATH}${path}`, async (request) => metadata(request, path))
}
