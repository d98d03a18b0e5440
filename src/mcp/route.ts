import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../http/errors.js'
import { registerRateLimit } from '../limits/rate-limit.js'
import { SlotRefusedError, TenantSlots } from '../limits/tenant-slots.js'
import { sharedBudgetStore } from '../limits/redis-budget-store.js'
import { auditLogger, traceIdOf } from './audit.js'
import { authInfoFor, buildMcpServer } from './build-server.js'
import { ExchangeDeadlineError, ExchangeTransport } from './exchange-transport.js'
import { messageCount, parseMessages, serializeAnswers } from './messages.js'
import { ToolCatalog } from './tool-catalog.js'
import type { DataClients } from '../data/data-access.js'
import type { RegistryClients } from '../platform/registry-client.js'
import type { Tenant } from '../platform/tenant.js'
import { describeMcpExchange, inSpan } from '../telemetry/spans.js'

export interface McpPluginOptions {
  /** MCP_PATH and the catalog's /mcp/platform/mcp: one handler, one set of hooks and limits. */
  paths: readonly string[]
  registries: RegistryClients
  data: DataClients
}

/** Clients that accept only an event stream get the answer as one SSE event; everyone else gets JSON. */
function wantsEventStream (accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/event-stream') && !/application\/json|\*\/\*/.test(accept)
}

/** One SSE event around a JSON body (JSON text holds no raw newline, so one data line suffices). */
const EVENT_START = Buffer.from('event: message\ndata: ')
const EVENT_END = Buffer.from('\n\n')

/** Seconds a shed client is asked to wait: the event-loop delay is re-sampled every second. */
const OVERLOADED_RETRY_AFTER_SECONDS = 5

/** Whose budget (rate limit, concurrent calls) a request spends: its caller (registry, kind, subject). */
function limitKey (tenant: Tenant | null): string {
  if (tenant === null) throw new GatewayError('internal_error')
  return tenant.caller.key
}

/**
 * The MCP endpoint (Streamable HTTP, stateless, JSON responses). Not wrapped in fastify-plugin on
 * purpose: the hooks registered here apply to this scope only, so health and metrics routes stay
 * public (and are never shed or rate limited) by where they live, not by a skip list.
 */
export default async function mcp (app: FastifyInstance, opts: McpPluginOptions) {
  const { maxEventLoopDelayMs, rateLimitMax, rateLimitWindowSeconds, maxBatchMessages, tenantMaxConcurrentCalls, maxResponseBytes, handlerTimeoutMs } = app.config
  // Registered first, so its onRequest hook runs first: an overloaded replica does not even verify tokens.
  if (maxEventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      pressureHandler: async () => {
        throw new GatewayError('overloaded', { headers: { 'retry-after': String(OVERLOADED_RETRY_AFTER_SECONDS) } })
      }
    })
  }
  const audit = auditLogger(app.log)
  // The tools/list answers are built once per process, not per request.
  const catalog = new ToolCatalog(app.config.toolsets)
  app.addHook('onRequest', app.checkOrigin)
  app.addHook('onRequest', app.authenticate)
  const spendBudget = rateLimitMax > 0
    ? registerRateLimit(app, {
      max: rateLimitMax,
      windowSeconds: rateLimitWindowSeconds,
      keyOf: (request) => limitKey(request.tenant),
      // Shared by every replica through Redis when MCP_RATE_LIMIT_REDIS_URL is set.
      store: await sharedBudgetStore(app)
    })
    : undefined
  const slots = tenantMaxConcurrentCalls > 0 ? new TenantSlots(tenantMaxConcurrentCalls) : undefined
  if (slots !== undefined) {
    // A tenant whose calls already fill its slots and waiting room is refused before its body is read,
    // so a flood of further requests costs about what a rate-limited one does.
    app.addHook('preParsing', async (request, _reply, payload) => {
      if (slots.isFull(limitKey(request.tenant))) {
        throw new GatewayError('too_many_concurrent_calls', { message: slots.refusal, headers: { 'retry-after': '1' } })
      }
      return payload
    })
  }
  // JSON-RPC only: without this, Fastify's built-in text/plain parser would accept strings.
  app.removeContentTypeParser('text/plain')

  async function answer (request: FastifyRequest, reply: FastifyReply) {
    const tenant = request.tenant
    if (tenant === null) throw new GatewayError('internal_error')
    const version = request.headers['mcp-protocol-version']?.toString()
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new GatewayError('unsupported_protocol_version', { message: `Unsupported MCP-Protocol-Version "${version}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}.` })
    }
    // The request's first message was charged before its body was read; a batch's others are charged
    // now, before any of them runs, refused batches too (pushing oversized ones costs the sender). A
    // batch refused for its size or version says so rather than answering 429.
    const count = messageCount(request.body)
    const overBudget = spendBudget !== undefined && count > 1 ? await spendBudget(request, reply, count - 1) : undefined
    const { messages, batch } = parseMessages(request.body, { maxBatchMessages, protocolVersion: version })
    if (overBudget !== undefined) throw overBudget

    // A fresh server and transport per request: nothing is shared between callers.
    const server = buildMcpServer({
      registries: opts.registries,
      data: opts.data,
      log: request.log,
      observeTool: (tool, outcome) => { app.metrics.toolCalls.inc({ tool, outcome }) },
      admitCall: slots === undefined
        ? undefined
        : (caller, signal) => slots.acquire(limitKey(caller), signal).catch((err: unknown) => {
            if (err instanceof SlotRefusedError) request.log.warn({ sub: caller.caller.subject, credential: caller.caller.kind, running: slots.maxRunning, waiting: slots.maxWaiting }, 'tool call refused: too many concurrent calls for this tenant')
            throw err
          }),
      audit: { log: audit, requestId: request.id, clientTraceId: traceIdOf(request.headers.traceparent) },
      catalog
    })
    const transport = new ExchangeTransport()
    await server.connect(transport)
    // A client that goes away cancels its in-flight tool calls (and their registry requests).
    const onClose = () => { if (!reply.raw.writableFinished) transport.close().catch(() => {}) }
    reply.raw.once('close', onClose)
    // Once every request is answered the server holds no timers or handlers, so it is left to the
    // garbage collector: closing would only build a ConnectionClosed error and abort signals nobody reads.
    let answers
    try {
      answers = await inSpan(() => describeMcpExchange(messages), () => transport.exchange(messages, authInfoFor(tenant), handlerTimeoutMs))
    } catch (err) {
      if (!(err instanceof ExchangeDeadlineError)) throw err
      request.log.warn({ pending: err.pending, deadlineMs: handlerTimeoutMs }, 'MCP request not answered within MCP_HANDLER_TIMEOUT_MS; its calls were cancelled')
      throw new GatewayError('handler_timeout', { message: `The gateway did not finish this request within ${handlerTimeoutMs} ms (unanswered: ${err.pending.join(', ')}); its calls were cancelled. Retry, or ask for less.` })
    }
    if (answers.length === 0) return reply.code(202).send()
    const { parts, oversized } = serializeAnswers(answers, batch, maxResponseBytes)
    if (oversized.length > 0) request.log.warn({ oversized, limitBytes: maxResponseBytes }, 'answer over MCP_MAX_RESPONSE_BYTES replaced by an error')
    if (wantsEventStream(request.headers.accept)) {
      return reply.type('text/event-stream').header('cache-control', 'no-cache').send(Buffer.concat([EVENT_START, ...parts, EVENT_END]))
    }
    return reply.type('application/json').send(parts.length === 1 ? parts[0] : Buffer.concat(parts))
  }
  for (const path of opts.paths) app.post(path, answer)
}

/** GET (SSE stream) and DELETE (session end) need sessions, which a stateless gateway does not keep. */
export async function mcpMethodGuard (app: FastifyInstance, opts: { paths: readonly string[] }) {
  for (const path of opts.paths) {
    app.route({
      method: ['GET', 'DELETE', 'PUT', 'PATCH'],
      url: path,
      handler: async () => { throw new GatewayError('method_not_allowed', { headers: { allow: 'POST' } }) }
    })
  }
}
