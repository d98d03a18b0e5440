import t, { type Test } from 'tap'
import { startGateway } from '../helpers/app.js'
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js'
import { rpc } from '../helpers/mcp-client.js'
import { closedPortUrl } from '../helpers/ports.js'
import { startRedis } from '../helpers/redis.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
const bearer = (sub: string) => ({ authorization: `Bearer ${signToken({ sub })}` })
const urlOf = (gateway: GatewayProcess) => `http://127.0.0.1:${gateway.port}`

async function twoReplicas (t: Test, redisUrl: string, max: number): Promise<[GatewayProcess, GatewayProcess]> {
  const env = { MCP_JWT_SECRET: TEST_SECRET, MCP_RATE_LIMIT_REDIS_URL: redisUrl, MCP_RATE_LIMIT_MAX: String(max), MCP_RATE_LIMIT_WINDOW_SECONDS: '60' }
  // One after the other: a port picked while the first is not yet listening could be picked twice.
  const first = await startGatewayProcess(t, env)
  return [first, await startGatewayProcess(t, env)]
}

t.test('two replicas share one budget per tenant through Redis', async (t) => {
  const redis = await startRedis(t)
  const [a, b] = await twoReplicas(t, redis.url, 10)
  const statuses: number[] = []
  for (let i = 0; i < 14; i++) {
    const res = await rpc(urlOf(i % 2 === 0 ? a : b), list, bearer('alice'))
    statuses.push(res.status)
    await res.arrayBuffer()
  }
  t.same(statuses.slice(0, 10), Array(10).fill(200), 'ten requests across both replicas are served')
  t.same(statuses.slice(10), [429, 429, 429, 429], 'then both replicas refuse: one budget, not one per replica')
  const other = await rpc(urlOf(b), list, bearer('bob'))
  t.equal(other.status, 200, 'another tenant has its own budget')
  const refused = await rpc(urlOf(a), list, bearer('alice'))
  t.match(await refused.json(), { error: { data: { reason: 'rate_limited' } } })
})

t.test('Redis killed mid-run: every request is still answered, on the local limit, and the operators are told', async (t) => {
  const redis = await startRedis(t)
  const [a, b] = await twoReplicas(t, redis.url, 1000)
  const statuses: number[] = []
  const send = async (i: number) => {
    const res = await rpc(urlOf(i % 2 === 0 ? a : b), list, bearer('alice'))
    statuses.push(res.status)
    await res.arrayBuffer()
  }
  for (let i = 0; i < 40; i++) {
    if (i === 20) await redis.kill()
    // A few in flight at once, as a busy tenant sends them.
    await Promise.all([send(i), send(i + 1), send(i + 2)])
  }
  t.equal(statuses.length, 120)
  t.same([...new Set(statuses)], [200], 'no request failed while Redis went away')
  for (const replica of [a, b]) {
    const warning = replica.logs.find((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('rate-limit store unavailable'))
    t.match(warning, { level: 40 }, 'each replica logs one warning')
    const metrics = await (await fetch(`${urlOf(replica)}/metrics`)).text()
    const errors = Number(/^mcp_gateway_rate_limit_store_errors_total (\d+)/m.exec(metrics)?.[1])
    t.ok(errors > 0, `the store-error counter rose (${errors})`)
  }
})

t.test('Redis unreachable from the start: the gateway starts and limits per replica, never a 5xx', async (t) => {
  const { url, logs, app } = await startGateway(t, { rateLimitRedisUrl: (await closedPortUrl()).replace('http:', 'redis:'), rateLimitMax: 3 })
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) statuses.push((await rpc(url, list, bearer('carol'))).status)
  t.same(statuses, [200, 200, 200, 429, 429])
  t.equal(logs.entries.filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('rate-limit store unavailable')).length, 1, 'warned once, not per request')
  t.match(await app.metrics.registry.getSingleMetricAsString('mcp_gateway_rate_limit_store_errors_total'), /_total 5$/m)
})

t.test('a stuck Redis costs at most one short timeout, then requests skip it', async (t) => {
  const redis = await startRedis(t)
  const { url, logs } = await startGateway(t, { rateLimitRedisUrl: redis.url, rateLimitMax: 100 })
  t.equal((await rpc(url, list, bearer('dave'))).status, 200)
  redis.pause()
  const timings: number[] = []
  for (let i = 0; i < 10; i++) {
    const started = performance.now()
    t.equal((await rpc(url, list, bearer('dave'))).status, 200)
    timings.push(performance.now() - started)
  }
  t.ok(Math.max(...timings) < 1000, `no request waited on Redis for long (slowest ${Math.round(Math.max(...timings))} ms)`)
  // Each waiting out the 200 ms command timeout would take 2 s in all.
  t.ok(timings.reduce((a, b) => a + b) < 1500, `after the first timeout, requests no longer wait for Redis (${Math.round(timings.reduce((a, b) => a + b))} ms for 10)`)
  t.match(logs.entries.find((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('rate-limit store unavailable')), { err: { message: /timed out/i } })
})
