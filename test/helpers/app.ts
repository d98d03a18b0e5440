import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildApp, type BuildOptions } from '../../src/app.js'
import type { Config } from '../../src/config/config.js'
import { DEFAULT_TOOLSETS } from '../../src/config/toolsets.js'
import { loggerOptions } from '../../src/telemetry/logger.js'
import { LogSink } from './log-sink.js'
import { TEST_SECRET } from './tokens.js'

function testConfig (overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    mcpPath: '/mcp',
    secretSource: { kind: 'value', value: TEST_SECRET },
    secretRefreshSeconds: 300,
    trustProxy: false,
    maxTokenLifetimeSeconds: 7 * 24 * 3600,
    // The fake registries listen on loopback ports picked at start.
    allowedRegistryHosts: ['registry.example.com', '127.0.0.1:*'],
    corsOrigins: [],
    graphqlTimeoutMs: 5000,
    graphqlMutationTimeoutMs: 10000,
    shutdownTimeoutMs: 5000,
    rateLimitMax: 600,
    rateLimitWindowSeconds: 60,
    // Off: on a loaded CI machine the loop lags for reasons of its own; the shedding tests turn it on.
    maxEventLoopDelayMs: 0,
    bodyLimitBytes: 1024 * 1024,
    maxBatchMessages: 10,
    tenantMaxConcurrentCalls: 8,
    maxResponseBytes: 8 * 1024 * 1024,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    handlerTimeoutMs: 70_000,
    stacks: [],
    dataRegion: 'us-east-1',
    athenaTimeoutMs: 60_000,
    toolsets: [...DEFAULT_TOOLSETS],
    oauth: 'auto',
    logLevel: 'info',
    ...overrides
  }
}

export interface TestGateway {
  app: FastifyInstance
  /** Base URL of the listening gateway, e.g. http://127.0.0.1:PORT; MCP is at `${url}/mcp`. */
  url: string
  logs: LogSink
}

/** Builds the real app with its logs captured, closed at the end of the test. */
export async function buildTestApp (t: Test, overrides: Partial<Config> = {}, options: BuildOptions = {}): Promise<{ app: FastifyInstance, logs: LogSink }> {
  const logs = new LogSink()
  const config = testConfig(overrides)
  const app = await buildApp(config, { ...options, fastify: { loggerInstance: undefined, logger: { ...loggerOptions(config), level: 'trace', stream: logs }, ...options.fastify } })
  t.teardown(() => app.close())
  return { app, logs }
}

/** The real app listening on a real loopback socket (for connection-level and SDK-client tests). */
export async function startGateway (t: Test, overrides: Partial<Config> = {}, options: BuildOptions = {}): Promise<TestGateway> {
  const { app, logs } = await buildTestApp(t, overrides, options)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('gateway did not bind a TCP port')
  return { app, url: `http://127.0.0.1:${address.port}`, logs }
}
