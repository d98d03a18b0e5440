import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

/*
 * Limits a client with a valid token cannot exceed (issue 10): batch size and protocol rules, the
 * rate limit counted per message, the per-tenant cap on concurrent calls, the response bound, the
 * handler deadline, and a batch that cancels its own request.
 */

const auth = (token: string) => ({ authorization: `Bearer ${token}` })
const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' })
const authStatus = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'auth_status', arguments: {} } })

interface Answer { id?: unknown, result?: { isError?: boolean, structuredContent?: { user?: { email?: string } } }, error?: { code: number, message: string, data?: { reason?: string } } }

t.test('a batch over MCP_MAX_BATCH_MESSAGES is refused whole, before any message runs', async (t) => {
  const registry = await startFakeRegistry(t)
  const { url, logs } = await startGateway(t, { maxBatchMessages: 3 })
  const token = signToken({ catalog_token: ACME_TOKEN, registry_url: registry.url })
  const refused = await rpc(url, [authStatus(1), authStatus(2), authStatus(3), authStatus(4)], auth(token))
  t.equal(refused.status, 400)
  t.match(await refused.json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: /at most 3 messages \(this one has 4\)/, data: { reason: 'batch_too_large' } } })
  t.equal(registry.requests.length, 0, 'no call of the batch reached the registry')
  t.match(logs.entries.find((e) => e.msg === 'request completed'), { statusCode: 400, reason: 'batch_too_large' }, 'logged with its reason')
  const served = await rpc(url, [authStatus(1), authStatus(2), authStatus(3)], auth(token))
  t.equal(served.status, 200)
  t.same((await served.json() as Answer[]).map((a) => a.id), [1, 2, 3], 'a batch at the limit is served')
})

t.test('no batches for clients on MCP 2025-06-18 or later; earlier versions keep them', async (t) => {
  const { url } = await startGateway(t)
  const token = signToken()
  for (const version of ['2025-06-18', '2025-11-25']) {
    const res = await rpc(url, [ping(1), ping(2)], { ...auth(token), 'mcp-protocol-version': version })
    t.equal(res.status, 400, version)
    t.match(await res.json(), { error: { code: -32600, message: new RegExp(`not part of MCP ${version}.*one message per request`), data: { reason: 'batch_not_supported' } } })
    const single = await rpc(url, ping(3), { ...auth(token), 'mcp-protocol-version': version })
    t.equal(single.status, 200, `${version}: single messages are served`)
  }
  for (const headers of [{ 'mcp-protocol-version': '2025-03-26' }, {}] as Array<Record<string, string>>) {
    const res = await rpc(url, [ping(1), ping(2)], { ...auth(token), ...headers })
    t.equal(res.status, 200, `batch with ${JSON.stringify(headers)}`)
    t.equal((await res.json() as Answer[]).length, 2)
  }
})

t.test('every message of a batch spends the tenant rate limit', async (t) => {
  const { url } = await startGateway(t, { rateLimitMax: 5 })
  const token = signToken({ sub: 'erin' })
  const first = await rpc(url, [ping(1), ping(2), ping(3)], auth(token))
  t.equal(first.status, 200)
  t.equal(first.headers.get('x-ratelimit-remaining'), '2', 'three messages cost three units')
  const second = await rpc(url, [ping(4), ping(5), ping(6)], auth(token))
  t.equal(second.status, 429, 'a batch that does not fit in what is left is refused whole')
  t.ok(Number(second.headers.get('retry-after')) > 0)
  t.match(await second.json(), { error: { data: { reason: 'rate_limited' } } })
  t.equal((await rpc(url, ping(7), auth(token))).status, 429, 'and the budget is spent')
})

t.test('a batch over the size limit is refused, yet spends one unit per message it held', async (t) => {
  const { url } = await startGateway(t, { rateLimitMax: 100 })
  const oversized = await rpc(url, Array.from({ length: 30 }, (_, i) => ping(i)), auth(signToken({ sub: 'frank' })))
  t.equal(oversized.status, 400)
  t.match(await oversized.json(), { error: { data: { reason: 'batch_too_large' } } })
  t.equal(oversized.headers.get('x-ratelimit-remaining'), '70')
})

t.test('a tenant runs at most MCP_TENANT_MAX_CONCURRENT_CALLS tool calls at once; others are not held up', async (t) => {
  let running = 0
  let peak = 0
  const registry = await startFakeRegistry(t, {
    intercept: async ({ token }) => {
      if (token !== ACME_TOKEN) return undefined
      peak = Math.max(peak, ++running)
      await sleep(150)
      running--
      return undefined
    }
  })
  const { url, logs } = await startGateway(t, { tenantMaxConcurrentCalls: 2, rateLimitMax: 0 })
  const acme = signToken({ sub: 'acme-user', catalog_token: ACME_TOKEN, registry_url: registry.url })
  const globex = signToken({ sub: 'globex-user', catalog_token: GLOBEX_TOKEN, registry_url: registry.url })

  // Two run, up to eight (4 x the cap) wait their turn: a batch of ten is served whole.
  let batchDone = false
  const batch = rpc(url, Array.from({ length: 10 }, (_, i) => authStatus(i)), auth(acme)).finally(() => { batchDone = true })
  await sleep(50)
  const other = await rpc(url, authStatus('other'), auth(globex))
  t.notOk(batchDone, 'another tenant is served while the first one\'s calls still wait their turn')
  t.match(await other.json(), { result: { structuredContent: { user: { email: 'bob@globex.example' } } } })
  const answers = await (await batch).json() as Answer[]
  t.ok(answers.every((a) => a.result?.structuredContent?.user?.email === 'alice@acme.example'), 'all ten served')
  t.equal(peak, 2, 'never more than two of them at the registry at once')

  // With the waiting room full, the tenant's next request is refused before its body is read.
  const filling = rpc(url, Array.from({ length: 10 }, (_, i) => authStatus(i)), auth(acme))
  await sleep(50)
  const busy = await rpc(url, authStatus('one more'), auth(acme))
  t.equal(busy.status, 429)
  t.equal(busy.headers.get('retry-after'), '1')
  t.match(await busy.json(), { id: null, error: { code: -32001, message: /^Too many tool calls in progress for this user \(2 running, 8 waiting\)/, data: { reason: 'too_many_concurrent_calls' } } })
  t.match(logs.entries.find((e) => e.statusCode === 429), { reason: 'too_many_concurrent_calls', sub: 'acme-user' }, 'logged with its reason')
  await (await filling).arrayBuffer()
})

t.test('calls of one batch past the waiting room are refused one by one with a clear error', async (t) => {
  const registry = await startFakeRegistry(t, { intercept: () => ({ delayMs: 100 }) })
  const { url, logs } = await startGateway(t, { tenantMaxConcurrentCalls: 1 })
  const token = signToken({ sub: 'acme-user', catalog_token: ACME_TOKEN, registry_url: registry.url })
  const answers = await (await rpc(url, Array.from({ length: 10 }, (_, i) => authStatus(i)), auth(token))).json() as Answer[]
  t.equal(answers.filter((a) => a.result?.structuredContent?.user?.email === 'alice@acme.example').length, 5, 'one runs, four wait their turn')
  const refused = answers.filter((a) => a.error?.data?.reason === 'too_many_concurrent_calls')
  t.equal(refused.length, 5, 'the other five are refused')
  t.match(refused[0], { error: { code: -32001, message: /^Too many tool calls in progress for this user \(1 running, 4 waiting\)/ } })
  t.ok(logs.entries.some((e) => e.msg === 'tool call refused: too many concurrent calls for this tenant' && e.sub === 'acme-user'), 'refusals are logged')
})

t.test('an answer over MCP_MAX_RESPONSE_BYTES becomes an error for that request alone', async (t) => {
  const { url, logs } = await startGateway(t, { maxResponseBytes: 4000 })
  const res = await rpc(url, [ping(1), { jsonrpc: '2.0', id: 2, method: 'tools/list' }], auth(signToken()))
  t.equal(res.status, 200)
  const [pong, list] = await res.json() as Answer[]
  t.same(pong, { jsonrpc: '2.0', id: 1, result: {} })
  t.match(list, { id: 2, error: { code: -32001, message: /^The answer \(\d+ bytes\) exceeds the gateway's response limit of 4000 bytes; ask for less/, data: { reason: 'response_too_large' } } })
  t.ok(logs.entries.some((e) => e.msg === 'answer over MCP_MAX_RESPONSE_BYTES replaced by an error'), 'logged')
})

t.test('an MCP request past MCP_HANDLER_TIMEOUT_MS gets 504 handler_timeout and its registry call is cancelled', async (t) => {
  const registry = await startFakeRegistry(t, { intercept: () => ({ delayMs: 5000 }) })
  const { url, logs } = await startGateway(t, { handlerTimeoutMs: 300, graphqlTimeoutMs: 10_000 })
  const started = Date.now()
  const res = await rpc(url, authStatus(1), auth(signToken({ catalog_token: ACME_TOKEN, registry_url: registry.url })))
  t.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`)
  t.equal(res.status, 504)
  t.match(await res.json(), { jsonrpc: '2.0', id: null, error: { code: -32001, message: /within 300 ms \(unanswered: tools\/call\)/, data: { reason: 'handler_timeout' } } })
  t.ok(logs.entries.some((e) => e.msg === 'MCP request not answered within MCP_HANDLER_TIMEOUT_MS; its calls were cancelled'), 'logged')
  const metrics = await (await fetch(`${url}/metrics`)).text()
  t.match(metrics, /mcp_gateway_registry_request_duration_seconds_count\{operation="GatewayMe",outcome="cancelled"\} 1/, 'the registry request was aborted')
})

t.test('a batch that cancels its own request gets an answer for it', async (t) => {
  const registry = await startFakeRegistry(t, { intercept: () => ({ delayMs: 5000 }) })
  const { url } = await startGateway(t)
  const token = signToken({ catalog_token: ACME_TOKEN, registry_url: registry.url })
  const cancel = (requestId: number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'user stopped' } })
  const started = Date.now()
  const res = await rpc(url, [authStatus(1), cancel(1), ping(2)], auth(token))
  t.equal(res.status, 200)
  t.match(await res.json(), [
    { id: 1, error: { code: -32001, message: /cancelled by the client/, data: { reason: 'cancelled' } } },
    { id: 2, result: {} }
  ])
  t.ok(Date.now() - started < 2000, 'at once, not after the registry call')
  const before = await rpc(url, [cancel(3), authStatus(3)], auth(token))
  t.match(await before.json(), [{ id: 3, error: { data: { reason: 'cancelled' } } }], 'also when the cancellation comes first')
})
