import { spawnSync } from 'node:child_process'
import { setTimeout as delay } from 'node:timers/promises'
import t from 'tap'
import { tracingRequested } from '../../src/telemetry/tracing.js'
import { startGateway } from '../helpers/app.js'
import { startFakeRegistry } from '../helpers/fake-registry.js'
import { startGatewayProcess } from '../helpers/gateway-process.js'
import { rpc } from '../helpers/mcp-client.js'
import { startOtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const CLIENT_SPAN_ID = '00f067aa0ba902b7'
const browse = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'package_browse', arguments: { bucket: 'quilt-example', package_name: 'examples/wellplates' } } }

async function waitFor<T> (find: () => T | undefined, what: string): Promise<T> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const found = find()
    if (found !== undefined) return found
    await delay(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

t.test('a traced tools/call: client trace id → server span → MCP span → tool span → GraphQL span → registry', async (t) => {
  const collector = await startOtlpReceiver(t)
  const registry = await startFakeRegistry(t)
  const gateway = await startGatewayProcess(t, {
    MCP_JWT_SECRET: TEST_SECRET,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
    OTEL_SERVICE_NAME: 'gateway-under-test',
    OTEL_BSP_SCHEDULE_DELAY: '50'
  })
  const res = await rpc(`http://127.0.0.1:${gateway.port}`, browse, {
    authorization: `Bearer ${signToken({ registry_url: registry.url })}`,
    traceparent: `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01`
  })
  t.equal(res.status, 200)
  t.notOk(((await res.json()) as { result: { isError?: boolean } }).result.isError)

  const graphql = await waitFor(() => collector.spans.find((span) => span.name.startsWith('graphql ')), 'the GraphQL span')
  const server = await waitFor(() => collector.spans.find((span) => span.name === 'request'), 'the server span')
  const byId = new Map(collector.spans.map((span) => [span.spanId, span]))
  const ancestors = (span: ReceivedSpan): string[] => {
    const names: string[] = []
    for (let parent = byId.get(span.parentSpanId ?? ''); parent !== undefined; parent = byId.get(parent.parentSpanId ?? '')) names.push(parent.name)
    return names
  }

  t.ok(collector.spans.every((span) => span.traceId === TRACE_ID), 'every span continues the client\'s trace')
  t.ok(collector.spans.every((span) => span.serviceName === 'gateway-under-test'), 'OTEL_SERVICE_NAME names the service')
  t.match(server, { kind: 2, parentSpanId: CLIENT_SPAN_ID, attributes: { 'http.route': '/mcp' } }, 'the server span is a child of the client span')
  const mcpSpan = byId.get(byId.get(graphql.parentSpanId ?? '')?.parentSpanId ?? '')
  t.match(byId.get(graphql.parentSpanId ?? ''), { name: 'execute_tool package_browse', attributes: { 'gen_ai.tool.name': 'package_browse', 'quilt.outcome': 'ok' } })
  t.match(mcpSpan, { name: 'tools/call package_browse', attributes: { 'mcp.method.name': 'tools/call' } })
  t.match(graphql, { kind: 3, attributes: { 'graphql.operation.name': /^\w+$/, 'server.address': new URL(registry.url).host, 'quilt.outcome': 'ok' } })
  t.ok(ancestors(graphql).includes('request'), `GraphQL span descends from the server span (${ancestors(graphql).join(' < ')})`)

  const sent = registry.requests.map((request) => request.traceparent)
  t.ok(sent.length > 0 && sent.every((value) => value?.startsWith(`00-${TRACE_ID}-`)), 'the registry received the same trace id')
  t.ok(sent.includes(`00-${TRACE_ID}-${graphql.spanId}-01`), 'with the GraphQL span as parent')

  const audit = gateway.logs.find((entry) => entry.name === 'audit')
  t.equal(audit?.traceId, TRACE_ID, 'the audit line names the trace')
  t.notOk(collector.spans.some((span) => JSON.stringify(span).includes('demo-catalog-token')), 'no token in any span')
})

t.test('probes are not traced', async (t) => {
  const collector = await startOtlpReceiver(t)
  const gateway = await startGatewayProcess(t, { MCP_JWT_SECRET: TEST_SECRET, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '50' })
  t.equal((await fetch(`http://127.0.0.1:${gateway.port}/healthz`)).status, 200)
  t.equal((await fetch(`http://127.0.0.1:${gateway.port}/nowhere`)).status, 404)
  await waitFor(() => collector.spans.find((span) => span.name === 'request'), 'the 404 request span')
  t.notOk(collector.spans.some((span) => span.attributes['url.path'] === '/healthz'))
})

t.test('tracing is off unless an OTLP endpoint is set, and off means no trace context is sent on', async (t) => {
  t.notOk(tracingRequested({}))
  t.ok(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }))
  t.ok(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }))
  t.notOk(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }))
  t.notOk(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }))
  t.notOk(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }))

  const registry = await startFakeRegistry(t)
  const { url } = await startGateway(t)
  const res = await rpc(url, browse, { authorization: `Bearer ${signToken({ registry_url: registry.url })}`, traceparent: `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01` })
  t.equal(res.status, 200)
  t.ok(registry.requests.length > 0 && registry.requests.every((request) => request.traceparent === null))
})

// The OpenTelemetry API itself is loaded anyway (prom-client reads it for exemplars); the SDK is what costs.
t.test('untraced and without Redis, neither the OpenTelemetry SDK nor ioredis is even loaded', async (t) => {
  const script = `
    import { createRequire } from 'node:module'
    const { buildApp } = await import(${JSON.stringify(new URL('../../src/app.ts', import.meta.url).pathname)})
    const { loadConfig } = await import(${JSON.stringify(new URL('../../src/config/config.ts', import.meta.url).pathname)})
    const app = await buildApp(loadConfig({ MCP_JWT_SECRET: ${JSON.stringify(TEST_SECRET)}, LOG_LEVEL: 'silent', MCP_ALLOWED_REGISTRY_HOSTS: '127.0.0.1:*' }))
    await app.ready()
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => /node_modules\\/(@opentelemetry\\/(?!api\\/)|@fastify\\/otel|ioredis)/.test(file))
    process.stdout.write(JSON.stringify(loaded))
    await app.close()`
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } })
  t.equal(child.status, 0, child.stderr)
  t.same(JSON.parse(child.stdout), [])
})
