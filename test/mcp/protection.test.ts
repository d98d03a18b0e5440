import t from 'tap'
import { startGateway } from '../helpers/app.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

const auth = (token: string) => ({ authorization: `Bearer ${token}` })
const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' })

t.test('the rate limit is per tenant, answers 429 JSON with Retry-After, and spares the public routes', async (t) => {
  const { url } = await startGateway(t, { rateLimitMax: 3, rateLimitWindowSeconds: 60, allowedRegistryHosts: ['*'] })
  const alice = signToken({ sub: 'alice' })
  for (let i = 1; i <= 3; i++) {
    const res = await rpc(url, ping(i), auth(alice))
    t.equal(res.status, 200, `call ${i} within the limit`)
    t.equal(res.headers.get('x-ratelimit-remaining'), String(3 - i))
  }
  const limited = await rpc(url, ping(4), auth(alice))
  t.equal(limited.status, 429)
  t.match(limited.headers.get('content-type'), /^application\/json/)
  t.ok(Number(limited.headers.get('retry-after')) > 0 && Number(limited.headers.get('retry-after')) <= 60, 'Retry-After in seconds')
  t.match(await limited.json(), {
    jsonrpc: '2.0',
    id: null,
    error: { code: -32001, message: /^Rate limit of 3 JSON-RPC messages per 60 s exceeded \(a batch counts each message\); retry in \d+ s\.$/, data: { reason: 'rate_limited' } }
  })
  t.equal((await rpc(url, ping(5), auth(signToken({ sub: 'alice', iat: Math.floor(Date.now() / 1000) - 5 })))).status, 429, 'a fresh token of the same user shares the budget')
  t.equal((await rpc(url, ping(6), auth(signToken({ sub: 'bob' })))).status, 200, 'another user has their own budget')
  t.equal((await rpc(url, ping(7), auth(signToken({ sub: 'alice', registry_url: 'https://other-registry.example.com' })))).status, 200, 'the same name on another registry is another tenant')
  t.equal((await fetch(`${url}/healthz`)).status, 200, 'health is not limited')
  t.equal((await fetch(`${url}/metrics`)).status, 200, 'metrics are not limited')
})

t.test('without sub, the budget belongs to the catalog token', async (t) => {
  const { url } = await startGateway(t, { rateLimitMax: 1 })
  const first = signToken({ sub: undefined, catalog_token: 'catalog-token-a' })
  const sameCatalogToken = signToken({ sub: undefined, catalog_token: 'catalog-token-a', iat: Math.floor(Date.now() / 1000) - 1 })
  t.equal((await rpc(url, ping(1), auth(first))).status, 200)
  t.equal((await rpc(url, ping(2), auth(sameCatalogToken))).status, 429)
  t.equal((await rpc(url, ping(3), auth(signToken({ sub: undefined, catalog_token: 'catalog-token-b' })))).status, 200)
})

t.test('the limit runs after authentication and before the body is read', async (t) => {
  const { url } = await startGateway(t, { rateLimitMax: 1 })
  const token = signToken({ sub: 'carol' })
  t.equal((await rpc(url, ping(1), auth(token))).status, 200)
  const anonymous = await rpc(url, ping(2))
  t.equal(anonymous.status, 401, 'no token: refused by authentication, not counted against anyone')
  t.match(await anonymous.json(), { error: { data: { reason: 'missing_token' } } })
  const forged = await rpc(url, ping(3), auth(signToken({ sub: 'carol' }, { secret: 'another-secret-0123456789-0123456789-xyz' })))
  t.equal(forged.status, 401, 'a forged token for a limited user is a 401, so the limit never sees unverified claims')
  const badJson = await rpc(url, '{"jsonrpc":', auth(token))
  t.equal(badJson.status, 429, 'an over-limit tenant is refused before its body is parsed (not 400)')
  const huge = await rpc(url, `{"x":"${'y'.repeat(3 * 1024 * 1024)}"}`, auth(token))
  t.equal(huge.status, 429, 'nor read (not 413)')
  t.match(await huge.json(), { error: { data: { reason: 'rate_limited' } } })
})

t.test('MCP_RATE_LIMIT_MAX=0 turns the limit off', async (t) => {
  const { url } = await startGateway(t, { rateLimitMax: 0 })
  const token = signToken({ sub: 'dave' })
  const statuses = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await rpc(url, ping(i), auth(token))).status))
  t.ok(statuses.every((status) => status === 200))
  t.equal((await rpc(url, ping(99), auth(token))).headers.get('x-ratelimit-limit'), null)
})

/** Keeps the event loop busy, as a replica drowning in work would. */
function blockEventLoop (ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) { /* busy */ }
}

async function statusWithin (url: string, token: string, want: number, ms: number): Promise<Response | undefined> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const res = await rpc(url, ping(1), auth(token))
    if (res.status === want) return res
    await res.arrayBuffer()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return undefined
}

t.test('under event-loop pressure MCP requests are shed with 503 JSON and Retry-After; probes still answer', async (t) => {
  const { url } = await startGateway(t, { maxEventLoopDelayMs: 200 })
  const token = signToken()
  t.equal((await rpc(url, ping(1), auth(token))).status, 200, 'served while the loop is idle')
  blockEventLoop(1500)
  const shed = await statusWithin(url, token, 503, 3000)
  t.ok(shed, 'shed once the sampled delay exceeds the threshold')
  if (shed === undefined) return
  t.equal(shed.headers.get('retry-after'), '5')
  t.match(await shed.json(), { jsonrpc: '2.0', id: null, error: { code: -32001, data: { reason: 'overloaded' } } })
  const [health, ready] = await Promise.all([fetch(`${url}/healthz`), fetch(`${url}/readyz`)])
  t.equal(health.status, 200, '/healthz is outside the MCP scope')
  t.equal(ready.status, 200, '/readyz too')
  t.ok(await statusWithin(url, token, 200, 15_000), 'served again once the loop recovers')
})

t.test('MCP_MAX_EVENT_LOOP_DELAY_MS=0 turns shedding off', async (t) => {
  const { url } = await startGateway(t, { maxEventLoopDelayMs: 0 })
  const token = signToken()
  blockEventLoop(1500)
  const statuses: number[] = []
  for (const end = Date.now() + 1500; Date.now() < end;) {
    statuses.push((await rpc(url, ping(1), auth(token))).status)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.ok(statuses.length > 5 && statuses.every((status) => status === 200), 'never shed')
})
