import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import type { Config } from './config/config.js'
import { clientErrorHandler, drainUnreadBody } from './http/connection-guard.js'
import { errorBody, GatewayError, HTTP_ERRORS, type ErrorReason } from './http/errors.js'
import { dataClientsFor } from './data/index.js'
import { loggerOptions, withoutQuery } from './telemetry/logger.js'
import { LogSecrets, runWithLogSecrets } from './telemetry/log-secrets.js'
import { RegistryClients } from './platform/registry-client.js'
import auth from './auth/auth.js'
import quiltCredentials, { type QuiltCredentialsOptions } from './auth/quilt-credentials.js'
import browserAccess from './http/browser-access.js'
import metrics from './telemetry/metrics.js'
import protectedResource, { bearerChallenge } from './auth/protected-resource.js'
import health from './http/health.js'
import { mcpPaths } from './http/mcp-paths.js'
import mcp, { mcpMethodGuard } from './mcp/route.js'
import secrets from './auth/secrets.js'
import signIn, { signInEnabled, type SignInOptions } from './sign-in/index.js'
import { signInStackFor } from './sign-in/stack-context.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
  interface FastifyRequest {
    /** Why the request was refused, for the request's log line. */
    failureReason: ErrorReason | null
    /** The secrets this request touched, kept out of its log lines (src/telemetry/log-secrets.ts). */
    logSecrets: LogSecrets | null
  }
}

export interface BuildOptions {
  fastify?: FastifyServerOptions
  signIn?: SignInOptions
  /** Limits and cache times of API key checks (tests shorten them). */
  quiltCredentials?: QuiltCredentialsOptions
}

const IDLE_SWEEP_MS = 100
/** How often Node checks the header and request deadlines (its default, 30 s, would blur them). */
const DEADLINE_CHECK_MS = 250

/** Fastify's own errors keep their status; this names them with our reasons. */
function reasonForStatus (status: number): ErrorReason {
  switch (status) {
    case 400: return 'bad_request'
    case 404: return 'not_found'
    case 405: return 'method_not_allowed'
    case 408: return 'request_timeout'
    case 413: return 'body_too_large'
    case 415: return 'unsupported_media_type'
    case 429: return 'rate_limited'
    case 431: return 'headers_too_large'
    case 503: return 'overloaded'
    default: return 'internal_error'
  }
}

function sendError (request: FastifyRequest, reply: FastifyReply, err: FastifyError | GatewayError) {
  let reason: ErrorReason
  let message: string
  if (err instanceof GatewayError) {
    reason = err.reason
    message = err.message
    reply.headers(err.headers)
  } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const received = request.headers['content-type']
    reason = 'unsupported_media_type'
    message = `${HTTP_ERRORS.unsupported_media_type.message} Got ${received === undefined ? 'no Content-Type' : `"${received.slice(0, 100)}"`}.`
  } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    reason = 'invalid_json'
    message = HTTP_ERRORS.invalid_json.message
  } else {
    reason = reasonForStatus(err.statusCode ?? 500)
    // Client errors explain themselves; server errors stay generic (details go to the log only).
    message = HTTP_ERRORS[reason].status < 500 && err.message !== '' ? err.message : HTTP_ERRORS[reason].message
  }
  const status = HTTP_ERRORS[reason].status
  if (status === 401 || (status === 403 && reason !== 'origin_not_allowed')) {
    reply.header('www-authenticate', bearerChallenge(status === 401 ? 'invalid_token' : 'insufficient_scope', message, signInStackFor(request)?.resourceMetadataUrl(request.routeOptions.url)))
    request.server.metrics.authFailures.inc({ reason })
  }
  if (status === 429) request.server.metrics.rateLimitRefusals.inc({ reason })
  if (reason === 'internal_error') request.log.error({ err }, 'request failed')
  request.failureReason = reason
  // Refusals from hooks (401, 429, 503) and the 413 come before the body is read: the connection
  // must outlive the unread rest, within bounds.
  drainUnreadBody(request.raw, () => reply.removeHeader('connection'))
  return reply.code(status).type('application/json').send(errorBody(reason, message))
}

/** JSON-RPC method and tool name of a request body, for the one log line per request. */
function rpcSummary (body: unknown): { rpcMethod?: string, tool?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {}
  const { method, params } = body as { method?: unknown, params?: { name?: unknown } }
  return {
    rpcMethod: typeof method === 'string' ? method : undefined,
    tool: method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined
  }
}

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config),
    // One line per request, written below with what Fastify cannot know (caller, tool, duration).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Slow senders: headers, and then the whole request, must arrive within their deadlines; past
    // them Node reports a timeout, answered 408 request_timeout by clientErrorHandler.
    requestTimeout: config.requestTimeoutMs,
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: DEADLINE_CHECK_MS },
    // Malformed request lines and oversized headers never reach a route; answer them in our JSON shape.
    clientErrorHandler,
    // During a graceful shutdown, a request that arrives on an already open keep-alive connection is
    // served (with "Connection: close") rather than refused with Fastify's own 503 body: a proxy does
    // not retry a failed POST elsewhere, and the shutdown deadline bounds the extra work anyway.
    return503OnClosing: false,
    // Undecodable URLs (FST_ERR_BAD_URL) are answered by the router itself unless routed here.
    frameworkErrors: (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendError(request, reply, err),
    ...options.fastify
  })
  app.decorate('config', config)
  app.decorateRequest('failureReason', null)
  app.decorateRequest('logSecrets', null)

  // First of all hooks: the rest of the request runs with its own set of secrets to redact by value.
  app.addHook('onRequest', (request, _reply, done) => {
    request.logSecrets = new LogSecrets()
    runWithLogSecrets(request.logSecrets, done)
  })
  // The body is read in the socket's async context, outside that set: the stages after it re-enter it.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.logSecrets === null) done()
    else runWithLogSecrets(request.logSecrets, done)
  })

  // Node closes idle keep-alive connections once, when close() starts. A connection still busy then
  // (a request in flight, or the unread rest of a refused upload) goes idle later and would hold the
  // close until keepAliveTimeout (72 s), past any shutdown deadline; so idle connections are swept
  // until the server has closed, as Go's http.Server.Shutdown does.
  app.addHook('preClose', async () => {
    const sweep = setInterval(() => { app.server.closeIdleConnections() }, IDLE_SWEEP_MS).unref()
    app.server.once('close', () => { clearInterval(sweep) })
  })

  app.addHook('onResponse', async (request, reply) => {
    const log = () => request.log.info({
      method: request.method,
      url: withoutQuery(request.url),
      statusCode: reply.statusCode,
      sub: request.tenant?.sub,
      stack: request.tenant?.stack,
      reason: request.failureReason ?? undefined,
      ...rpcSummary(request.body),
      durationMs: reply.elapsedTime
    }, 'request completed')
    // 'finish' fires outside the request's async context; its line is redacted with the request's secrets all the same.
    if (request.logSecrets === null) log()
    else runWithLogSecrets(request.logSecrets, log)
    app.metrics.requests.inc({ route: request.routeOptions.url ?? 'unmatched', method: request.method, status: reply.statusCode })
  })

  app.setErrorHandler((err: FastifyError, request, reply) => sendError(request, reply, err))
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new GatewayError('not_found')))

  await app.register(secrets, { source: config.secretSource, refreshSeconds: config.secretRefreshSeconds, stacks: config.stacks })
  await app.register(metrics)
  await app.register(browserAccess)
  await app.register(quiltCredentials, options.quiltCredentials ?? {})
  await app.register(auth, { issuer: config.jwtIssuer, audience: config.jwtAudience, allowedRegistryHosts: config.allowedRegistryHosts, maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds })
  await app.register(health)
  await app.register(protectedResource)
  const data = dataClientsFor(config, app.metrics.cost)
  if (signInEnabled(config)) await app.register(signIn, options.signIn ?? {})
  const registries = new RegistryClients({
    timeoutMs: config.graphqlTimeoutMs,
    mutationTimeoutMs: config.graphqlMutationTimeoutMs,
    observe: (operation, outcome, seconds) => { app.metrics.registryLatency.observe({ operation, outcome }, seconds) },
    log: app.log,
    // A token the registry refuses no longer reaches data through credentials issued for it earlier.
    onTokenRefused: (tenant) => { data.credentials.forget(tenant) }
  })
  app.addHook('onClose', async () => { data.close() })
  await app.register(mcp, { paths: mcpPaths(config.mcpPath), registries, data })
  await app.register(mcpMethodGuard, { paths: mcpPaths(config.mcpPath) })
  return app
}
