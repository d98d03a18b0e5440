import type { FastifyRequest } from 'fastify'

/**
 * The address a request came from, for limits on failed sign-in checks. Under MCP_TRUST_PROXY it is
 * the last X-Forwarded-For entry, the one the proxy in front appended (earlier entries are the
 * client's to write); otherwise the socket's peer, since anyone can send the header.
 */
export function clientAddress (request: FastifyRequest): string {
  if (request.server.config.trustProxy) {
    const header = request.headers['x-forwarded-for']
    const forwarded = (Array.isArray(header) ? header.join(',') : header)?.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
    const last = forwarded?.at(-1)
    if (last !== undefined) return last
  }
  return request.socket.remoteAddress ?? 'unknown'
}
