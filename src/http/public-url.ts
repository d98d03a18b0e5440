import type { FastifyRequest } from 'fastify'

const first = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined

// What a Host (or X-Forwarded-Host) value may be: a name or IP literal and an optional port. Anything
// else (quotes, spaces, CR/LF, paths, user info) is not a host and never reaches a URL we publish.
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/

/** The address the request arrived at, for when the client named no usable host. */
function localHost (request: FastifyRequest): string {
  const { localAddress, localPort } = request.socket
  if (localAddress === undefined) return 'localhost'
  return `${localAddress.includes(':') ? `[${localAddress}]` : localAddress}:${localPort ?? 80}`
}

/**
 * The base URL clients reach the gateway at: MCP_PUBLIC_URL when set (the only source then); else,
 * with MCP_TRUST_PROXY, what the proxy in front says (X-Forwarded-Proto/Host, as the catalog's nginx
 * sets them); else the Host header. Anyone can send those headers, so the forwarded ones are read only
 * when a proxy is declared to set them, and any host value is checked to be a host before use.
 */
export function publicBaseUrl (request: FastifyRequest, options: { ignorePublicUrl?: boolean } = {}): string {
  const { publicUrl, trustProxy } = request.server.config
  // MCP_PUBLIC_URL is the default stack's; a stacks-file stack is reached at its own host.
  if (publicUrl !== undefined && options.ignorePublicUrl !== true) return publicUrl
  const proto = (trustProxy ? first(request.headers['x-forwarded-proto']) : undefined) ?? request.protocol
  const host = (trustProxy ? first(request.headers['x-forwarded-host']) : undefined) ?? request.headers.host
  return `${proto === 'https' ? 'https' : 'http'}://${host !== undefined && HOST.test(host) ? host : localHost(request)}`
}

/** RFC 9728 inserts the resource's path after the well-known prefix. */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource'
