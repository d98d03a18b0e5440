import type { FastifyRequest } from 'fastify'

const first = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined

/**
 * The base URL clients reach the gateway at: MCP_PUBLIC_URL when set, else what the proxy in front says
 * (X-Forwarded-Proto/Host, as the catalog's nginx sets them), else the Host header.
 */
export function publicBaseUrl (request: FastifyRequest, configured: string | undefined): string {
  if (configured !== undefined) return configured
  const proto = first(request.headers['x-forwarded-proto']) ?? request.protocol
  const host = first(request.headers['x-forwarded-host']) ?? request.headers.host ?? 'localhost'
  return `${proto === 'https' ? 'https' : 'http'}://${host}`
}

/** RFC 9728 inserts the resource's path after the well-known prefix. */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource'

export function resourceMetadataUrl (request: FastifyRequest, configured: string | undefined, mcpPath: string): string {
  return `${publicBaseUrl(request, configured)}${PROTECTED_RESOURCE_PATH}${mcpPath}`
}
