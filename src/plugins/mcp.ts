import { SUPPORTED_PROTOCOL_VERSIONS, isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import rateLimit from '@fastify/rate-limit'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { GatewayError } from '../errors.js'
import { auditLogger, traceIdOf } from '../mcp/audit.js'
import { authInfoFor, buildMcpServer } from '../mcp/build-server.js'
import { ExchangeTransport } from '../mcp/exchange-transport.js'
import type { RegistryClients } from '../platform/registry-client.js'
import type { Tenant } from '../platform/tenant.js'
import { sharedRateLimitStore } from './rate-limit-store.js'
import { describeMcpExchange, inSpan } from '../telemetry/spans.js'

export interface McpPluginOptions {
  path: string
  registries: RegistryClients
}

/**
 * The JSON-RPC envelope: a request or notification (method), or a response (id with result or error).
 * Only the envelope is checked here; the SDK validates each method's params with its own schemas, so
 * the SDK's full message union, a large zod union, is not also run on every request.
 */
const EnvelopeSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.int()]).optional(),
  method: z.string().min(1).optional(),
  params: z.looseObject({}).optional()
}).refine((message) => message.method !== undefined || (message.id !== undefined && ('result' in message || 'error' in message)))

/** The POSTed body as JSON-RPC messages; a batch (array) is answered with an array. */
function parseMessages (body: unknown): { messages: JSONRPCMessage[], batch: boolean } {
  const batch = Array.isArray(body)
  const items: unknown[] = batch ? body : [body]
  const messages: JSONRPCMessage[] = []
  for (const item of items) {
    const parsed = EnvelopeSchema.safeParse(item)
    if (!parsed.success) throw new GatewayError('invalid_request')
    messages.push(parsed.data as JSONRPCMessage)
  }
  const ids = messages.filter(isJSONRPCRequest).map((message) => message.id)
  if (messages.length === 0 || new Set(ids).size !== ids.length) {
    throw new GatewayError('invalid_request', { message: 'A batch must be non-empty and its request ids unique.' })
  }
  return { messages, batch }
}

/** Clients that accept only an event stream get the answer as one SSE event; everyone else gets JSON. */
function wantsEventStream (accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/event-stream') && !/application\/json|\*\/\*/.test(accept)
}

/** Seconds a shed client is asked to wait: the event-loop delay is re-sampled every second. */
const OVERLOADED_RETRY_AFTER_SECONDS = 5

/**
 * Whose budget a request spends: the user within their registry (two stacks may both have a user
 * "admin"), else the secret-free hash of the catalog token.
 */
function rateLimitKey (tenant: Tenant | null): string {
  if (tenant === null) throw new GatewayError('internal_error')
  return tenant.sub !== undefined ? `sub:${tenant.registryUrl}#${tenant.sub}` : `token:${tenant.key}`
}

/**
 * The MCP endpoint (Streamable HTTP, stateless, JSON responses). Not wrapped in fastify-plugin on
 * purpose: the hooks registered here apply to this scope only, so health and metrics routes stay
 * public (and are never shed or rate limited) by where they live, not by a skip list.
 */
export default async function mcp (app: FastifyInstance, opts: McpPluginOptions) {
  const { maxEventLoopDelayMs, rateLimitMax, rateLimitWindowSeconds } = app.config
  // Registered first, so its onRequest hook runs first: an overloaded replica does not even verify tokens.
  if (maxEventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      pressureHandler: async () => {
        throw new GatewayError('overloaded', { headers: { 'retry-after': String(OVERLOADED_RETRY_AFTER_SECONDS) } })
      }
    })
  }
  app.addHook('onRequest', app.checkOrigin)
  app.addHook('onRequest', app.authenticate)
  if (rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: rateLimitMax,
      timeWindow: rateLimitWindowSeconds * 1000,
      // Shared by every replica through Redis when MCP_RATE_LIMIT_REDIS_URL is set.
      store: await sharedRateLimitStore(app),
      // preParsing: after authentication (onRequest), so the key is the verified tenant, and before
      // the body is read, so a tenant over its limit costs no parsing.
      hook: 'preParsing',
      keyGenerator: (request) => rateLimitKey(request.tenant),
      errorResponseBuilder: (_request, context) => new GatewayError('rate_limited', {
        message: `Rate limit of ${context.max} requests per ${rateLimitWindowSeconds} s exceeded; retry in ${context.after}.`
      })
    })
  }
  // JSON-RPC only: without this, Fastify's built-in text/plain parser would accept strings.
  app.removeContentTypeParser('text/plain')

  app.post(opts.path, async (request, reply) => {
    const tenant = request.tenant
    if (tenant === null) throw new GatewayError('internal_error')
    const version = request.headers['mcp-protocol-version']?.toString()
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new GatewayError('unsupported_protocol_version', { message: `Unsupported MCP-Protocol-Version "${version}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}.` })
    }
    const { messages, batch } = parseMessages(request.body)

    // A fresh server and transport per request: nothing is shared between callers.
    const server = buildMcpServer({
      registries: opts.registries,
      log: request.log,
      observeTool: (tool, outcome) => { app.metrics.toolCalls.inc({ tool, outcome }) },
      audit: { log: auditLogger(request.log), clientTraceId: traceIdOf(request.headers.traceparent) }
    })
    const transport = new ExchangeTransport()
    await server.connect(transport)
    // A client that goes away cancels its in-flight tool calls (and their registry requests).
    const onClose = () => { if (!reply.raw.writableFinished) transport.close().catch(() => {}) }
    reply.raw.once('close', onClose)
    // Once every request is answered the server holds no timers or handlers, so it is left to the
    // garbage collector: closing would only build a ConnectionClosed error and abort signals nobody reads.
    const answers = await inSpan(() => describeMcpExchange(messages), () => transport.exchange(messages, authInfoFor(tenant)))
    if (answers.length === 0) return reply.code(202).send()
    const payload = batch ? answers : answers[0]
    if (wantsEventStream(request.headers.accept)) {
      return reply.type('text/event-stream').header('cache-control', 'no-cache').send(`event: message\ndata: ${JSON.stringify(payload)}\n\n`)
    }
    return reply.type('application/json').send(payload)
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
