/**
 * One benchmark target per process, so each row's RSS is its own. Started by bench/run.ts as
 * `tsx bench/targets.ts <target> <registryUrl>`; prints `PORT <n>` once listening.
 */
import fastifyJwt from '@fastify/jwt'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config/config.js'
import { DataClients } from '../src/data/data-access.js'
import { RegistryClients } from '../src/platform/registry-client.js'
import { startTracing } from '../src/telemetry/tracing.js'
import { tenantFromClaims } from '../src/platform/tenant.js'
import { tools } from '../src/tools/index.js'
import { runTool } from '../src/tools/result.js'
import { BENCH_SECRET } from './shared.js'

async function bare (): Promise<FastifyInstance> {
  const app = Fastify()
  app.post('/bare', async () => ({ ok: true }))
  return app
}

async function withJwt (): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifyJwt, { secret: BENCH_SECRET, verify: { algorithms: ['HS256'] } })
  app.addHook('onRequest', async (request) => { await request.jwtVerify() })
  return app
}

async function jwtOnly (): Promise<FastifyInstance> {
  const app = await withJwt()
  app.post('/bare', async () => ({ ok: true }))
  return app
}

/**
 * The SDK's documented stateless pattern (new McpServer + StreamableHTTPServerTransport per request,
 * JSON responses), with the gateway's tool set and the same JWT check as the jwt-only row.
 */
async function sdkPattern (): Promise<FastifyInstance> {
  const app = await withJwt()
  const registries = new RegistryClients({ timeoutMs: 30_000, mutationTimeoutMs: 60_000 })
  const data = new DataClients({ region: 'us-east-1', timeoutMs: 30_000, athenaTimeoutMs: 60_000 })
  app.post('/mcp', async (request, reply) => {
    const tenant = tenantFromClaims(request.user, ['127.0.0.1:*'])
    if (typeof tenant === 'string') return reply.code(403).send({ error: tenant })
    const server = new McpServer({ name: 'sdk-pattern', version: '1.0.0' })
    const signal = new AbortController().signal
    const ctx = { tenant, registry: registries.for(tenant), data: data.for(tenant, signal), log: request.log, signal }
    for (const tool of tools) {
      server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.inputSchema, annotations: tool.annotations },
        (args) => runTool(tool.name, ctx, () => tool.run(args, ctx)))
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    reply.hijack()
    reply.raw.on('close', () => { transport.close().catch(() => {}); server.close().catch(() => {}) })
    await server.connect(transport)
    await transport.handleRequest(request.raw, reply.raw, request.body)
  })
  return app
}

async function gateway (): Promise<FastifyInstance> {
  // No rate limit and no cap on concurrent calls: the bench is one tenant sending as fast as it can
  // over 20 connections, which is what those limits stop.
  return buildApp(loadConfig({ MCP_JWT_SECRET: BENCH_SECRET, LOG_LEVEL: 'warn', MCP_RATE_LIMIT_MAX: '0', MCP_TENANT_MAX_CONCURRENT_CALLS: '0', MCP_ALLOWED_REGISTRY_HOSTS: '127.0.0.1:*' }))
}

/** The gateway fronting the stub registry as a stack, with a Connect stand-in: API keys and Connect tokens. */
async function gatewayStack (): Promise<FastifyInstance> {
  return buildApp(loadConfig({
    MCP_JWT_SECRET: BENCH_SECRET,
    LOG_LEVEL: 'warn',
    MCP_RATE_LIMIT_MAX: '0',
    MCP_TENANT_MAX_CONCURRENT_CALLS: '0',
    QUILT_REGISTRY_URL: process.env.BENCH_STACK_REGISTRY,
    QUILT_CONNECT_URL: process.env.BENCH_CONNECT_URL
  }))
}

/** The gateway fronting the stub registry as a stack (no Connect), so its own sign-in server issues access tokens. */
async function gatewaySignIn (): Promise<FastifyInstance> {
  return buildApp(loadConfig({ MCP_JWT_SECRET: BENCH_SECRET, LOG_LEVEL: 'warn', MCP_RATE_LIMIT_MAX: '0', MCP_TENANT_MAX_CONCURRENT_CALLS: '0', QUILT_REGISTRY_URL: process.env.BENCH_STACK_REGISTRY }))
}

/** The gateway with OpenTelemetry on (OTEL_EXPORTER_OTLP_ENDPOINT set by bench/run.ts), every request sampled. */
async function gatewayTraced (): Promise<FastifyInstance> {
  await startTracing()
  return gateway()
}

const targets: Record<string, () => Promise<FastifyInstance>> = { bare, 'jwt-only': jwtOnly, 'sdk-pattern': sdkPattern, gateway, 'gateway-stack': gatewayStack, 'gateway-traced': gatewayTraced, 'gateway-sign-in': gatewaySignIn }

const name = process.argv[2] ?? ''
const factory = targets[name]
if (factory === undefined) throw new Error(`unknown target ${name}; one of ${Object.keys(targets).join(', ')}`)
const app = await factory()
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.stdout.write(`PORT ${typeof address === 'object' && address !== null ? address.port : 0}\n`)
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
