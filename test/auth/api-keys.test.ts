import t from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import type { Stack } from '../../src/config/stacks.js'
import { startGateway, type TestGateway } from '../helpers/app.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient, rpc } from '../helpers/mcp-client.js'
import { startRedis } from '../helpers/redis.js'
import { startSampleAws } from '../helpers/sample-aws.js'

// Quilt API keys (qk_...) on a fronted stack, through the real app, real sockets, the sample registry
// (which accepts keys created in its tenant data) and the MCP SDK client.

const registry = await startFakeRegistry(t)
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url }
// Load shedding off: a loaded test machine's event-loop delay must not turn these answers into 503s.
const base = { maxEventLoopDelayMs: 0, stacks: [stack] }

const listBuckets = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'bucket_list', arguments: {} } }
const call = (gateway: TestGateway, key: string) => rpc(gateway.url, listBuckets, { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream' })

/** Polls until `check` holds: for waiting out a cache or limit window without a fixed sleep. */
async function eventually (check: () => Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return false
}

const metricsText = async (gateway: TestGateway) => (await fetch(`${gateway.url}/metrics`)).text()

t.test('an API key lists tools and calls a registry tool; the registry receives the key as it is, checked once', async (t) => {
  const gateway = await startGateway(t, base)
  const key = registry.apiKeys.create(ACME_TOKEN)
  const before = registry.requests.length
  const client = await connectClient(t, gateway.url, key)
  const { tools } = await client.listTools()
  t.ok(tools.some((tool) => tool.name === 'bucket_list'), 'the tools are listed')
  const result = await client.callTool({ name: 'bucket_list', arguments: {} })
  t.notOk(result.isError, 'the registry tool answers')
  t.match(JSON.stringify(result.content), /demo-bucket|bucket/, 'with the tenant\'s buckets')
  const sent = registry.requests.slice(before)
  t.ok(sent.length >= 2, 'the registry was asked')
  t.ok(sent.every((r) => r.authorization === `Bearer ${key}`), 'every registry call carries the key itself')
  t.equal(sent.filter((r) => r.operationName === 'GatewayMe').length, 1, 'the key was checked with the registry once, then served from cache')

  const metrics = await metricsText(gateway)
  t.match(metrics, /mcp_gateway_credential_checks_total\{kind="api_key",outcome="ok"\} 1/)
  t.match(metrics, /mcp_gateway_credential_checks_total\{kind="api_key",outcome="cached"\} [1-9]/)
  t.notOk(metrics.includes(key), 'the key is not in the metrics')
  t.notOk(gateway.logs.text.includes(key), 'nor in any log line, even at trace level')
  t.notOk(gateway.logs.text.includes(key.slice(3)), 'not even without its prefix')
  const entry = gateway.logs.entries.find((e) => e.msg === 'request completed' && e.statusCode === 200)
  t.equal(entry?.sub, 'alice', 'the user the registry named is logged')
})

t.test('unknown and revoked keys are refused with 401 JSON; a revoked key stops once its check expires', async (t) => {
  const gateway = await startGateway(t, base, { quiltCredentials: { apiKeyGoodTtlMs: 1000 } })
  const unknown = await call(gateway, 'qk_not-a-key-of-this-stack')
  t.equal(unknown.status, 401)
  t.match(unknown.headers.get('content-type'), /application\/json/)
  t.match(unknown.headers.get('www-authenticate'), /^Bearer error="invalid_token", error_description="The Quilt registry refused this API key/)
  t.match(await unknown.json(), { error: { message: /revoked/, data: { reason: 'api_key_refused' } } })

  const key = registry.apiKeys.create(ACME_TOKEN)
  t.equal((await call(gateway, key)).status, 200, 'a fresh key works')
  registry.apiKeys.revoke(key)
  t.ok(await eventually(async () => (await call(gateway, key)).status === 401), 'revoked in Quilt, it is refused once the check is redone')
  const expired = registry.apiKeys.create(ACME_TOKEN, { expiresInDays: 0 })
  t.equal((await call(gateway, expired)).status, 401, 'an expired key is refused')
  t.match(await metricsText(gateway), /mcp_gateway_auth_failures_total\{reason="api_key_refused"\} [1-9]/, 'counted as an auth failure by reason')
  t.notOk(gateway.logs.text.includes(key), 'the refused key is not logged')
})

t.test('refused keys are limited per address: 429, a known-good key still works, and after the window any key does', async (t) => {
  const gateway = await startGateway(t, base, { quiltCredentials: { failedCheckLimit: { max: 3, windowMs: 3000 } } })
  const known = registry.apiKeys.create(ACME_TOKEN)
  t.equal((await call(gateway, known)).status, 200, 'a key checked before the flood')
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await call(gateway, `qk_guess-${i}`)).status)
  t.same(statuses, [401, 401, 401, 429], 'the fourth refused key in the window is not even checked')
  const before = registry.requests.length
  const fresh = registry.apiKeys.create(ACME_TOKEN)
  const limited = await call(gateway, fresh)
  t.equal(limited.status, 429, 'a new key from that address waits too')
  t.ok(Number(limited.headers.get('retry-after')) >= 1, 'with Retry-After')
  t.match(await limited.json(), { error: { message: /Too many refused credentials/, data: { reason: 'credential_checks_limited' } } })
  t.equal(registry.requests.length, before, 'and the registry was not asked')
  t.equal((await call(gateway, known)).status, 200, 'a key already known good is never blocked by the failures')
  t.ok(await eventually(async () => (await call(gateway, fresh)).status === 200), 'after the window the new key works')
  t.match(await metricsText(gateway), /mcp_gateway_credential_checks_total\{kind="api_key",outcome="limited"\} [1-9]/)
})

t.test('the address is the socket\'s peer; X-Forwarded-For counts only under MCP_TRUST_PROXY, and then its last entry', async (t) => {
  const limits = { quiltCredentials: { failedCheckLimit: { max: 1, windowMs: 60_000 } } }
  const forwarded = (gateway: TestGateway, key: string, xff: string) =>
    rpc(gateway.url, listBuckets, { authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', 'x-forwarded-for': xff })
  const direct = await startGateway(t, base, limits)
  t.equal((await forwarded(direct, 'qk_guess-1', '203.0.113.1')).status, 401)
  t.equal((await forwarded(direct, 'qk_guess-2', '203.0.113.2')).status, 429, 'a forged header does not escape the limit')
  const proxied = await startGateway(t, { ...base, trustProxy: true }, limits)
  t.equal((await forwarded(proxied, 'qk_guess-1', '203.0.113.1')).status, 401)
  t.equal((await forwarded(proxied, 'qk_guess-2', '203.0.113.1')).status, 429, 'the same client behind the proxy is limited')
  t.equal((await forwarded(proxied, 'qk_guess-3', '203.0.113.1, 203.0.113.2')).status, 401, 'another client (the entry the proxy appended) is not')
})

t.test('with Redis the failed checks are counted across replicas', async (t) => {
  const redis = await startRedis(t)
  const limits = { quiltCredentials: { failedCheckLimit: { max: 2, windowMs: 60_000 } } }
  const a = await startGateway(t, { ...base, rateLimitRedisUrl: redis.url }, limits)
  const b = await startGateway(t, { ...base, rateLimitRedisUrl: redis.url }, limits)
  t.equal((await call(a, 'qk_guess-a')).status, 401)
  t.equal((await call(b, 'qk_guess-b')).status, 401)
  t.equal((await call(a, 'qk_guess-c')).status, 429, 'the other replica\'s failure counted here')
})

t.test('a key on a gateway that fronts no stack is refused, saying why', async (t) => {
  const gateway = await startGateway(t, { maxEventLoopDelayMs: 0 })
  const res = await call(gateway, registry.apiKeys.create(ACME_TOKEN))
  t.equal(res.status, 403)
  t.match(res.headers.get('www-authenticate'), /insufficient_scope/)
  t.match(await res.json(), { error: { message: /fronts no Quilt stack/, data: { reason: 'api_key_not_supported' } } })
})

t.test('a registry that cannot answer the check gives 503 JSON with Retry-After, not a 401 or a 500', async (t) => {
  const failing = await startFakeRegistry(t, { intercept: (request) => request.operationName === 'GatewayMe' ? { status: 502, body: 'Bad gateway' } : undefined })
  const gateway = await startGateway(t, { ...base, stacks: [{ ...stack, registryUrl: failing.url }] })
  const res = await call(gateway, failing.apiKeys.create(ACME_TOKEN))
  t.equal(res.status, 503)
  t.equal(res.headers.get('retry-after'), '5')
  t.match(await res.json(), { error: { message: /could not be reached/, data: { reason: 'registry_unavailable' } } })
  t.match(await metricsText(gateway), /mcp_gateway_credential_checks_total\{kind="api_key",outcome="unavailable"\} 1/)
})

t.test('an API key reads the user\'s data: the registry issues its role\'s credentials for the key', async (t) => {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const dataRegistry = await startFakeRegistry(t, { tenants, credentials })
  const { s3, athena } = await startSampleAws(t, tenants, [credentials])
  const gateway = await startGateway(t, { ...base, stacks: [{ ...stack, registryUrl: dataRegistry.url }], s3Endpoint: s3.url, athenaEndpoint: athena.url })
  const key = dataRegistry.apiKeys.create(ACME_TOKEN)
  const client = await connectClient(t, gateway.url, key)
  const text = await client.callTool({ name: 'package_file_text', arguments: { bucket: 'quilt-example', package_name: 'examples/wellplates', path: 'README.md' } })
  t.match(text.structuredContent, { kind: 'text', text: /^# examples\/wellplates\/README\.md/ })
  t.same(credentials.calls, [key], 'the credentials endpoint was asked with the key')
  t.notOk(gateway.logs.text.includes(key), 'the key is not logged')
})
