import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { FastifyInstance } from 'fastify'
import { errorBody, GatewayError } from '../errors.js'
import { authInfoFor, buildMcpServer } from '../mcp/build-server.js'
import type { RegistryClients } from '../platform/registry-client.js'

export interface McpPluginOptions {
  path: string
  registries: RegistryClients
}

// The SDK transport insists on both types in Accept (406 otherwise). Plain JSON-RPC callers (curl,
// fetch, the catalog's own browser check) send none or */*; we answer JSON either way, so say so.
const ACCEPT_BOTH = 'application/json, text/event-stream'

/**
 * The MCP endpoint. Not wrapped in fastify-plugin on purpose: the auth hook registered here applies
 * to this scope only, so health and metrics routes stay public by where they live, not by a skip list.
 */
export default async function mcp (app: FastifyInstance, opts: McpPluginOptions) {
  app.addHook('onRequest', app.checkOrigin)
  app.addHook('onRequest', app.authenticate)
  // JSON-RPC only: without this, Fastify's built-in text/plain parser would hand strings to the SDK.
  app.removeContentTypeParser('text/plain')

  app.post(opts.path, async (request, reply) => {
    const tenant = request.tenant
    if (tenant === null) throw new GatewayError('internal_error')
    const server = buildMcpServer({
      registries: opts.registries,
      log: request.log,
      observeTool: (tool, outcome) => { app.metrics.toolCalls.inc({ tool, outcome }) }
    })
    // Stateless (no session ids) with JSON answers: any replica can serve any request.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    // Headers set by earlier hooks (CORS) live on the Fastify reply, which a hijacked reply never sends.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value)
    }
    reply.hijack()
    reply.raw.on('close', () => {
      // Closing is best effort: the response is already gone, nothing is left to report to.
      transport.close().catch(() => {})
      server.close().catch(() => {})
    })
    try {
      await server.connect(transport)
      request.raw.headers.accept = ACCEPT_BOTH
      await transport.handleRequest(Object.assign(request.raw, { auth: authInfoFor(tenant) }), reply.raw, request.body)
    } catch (err) {
      request.log.error({ err }, 'MCP transport failed')
      // After hijack Fastify no longer answers for us.
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' })
        reply.raw.end(JSON.stringify(errorBody('internal_error')))
      }
    }
  })
}

/** GET (SSE stream) and DELETE (session end) need sessions, which a stateless gateway does not keep. */
export async function mcpMethodGuard (app: FastifyInstance, opts: { path: string }) {
  app.route({
    method: ['GET', 'DELETE', 'PUT', 'PATCH'],
    url: opts.path,
    handler: async () => { throw new GatewayError('method_not_allowed', { headers: { allow: 'POST' } }) }
  })
}
