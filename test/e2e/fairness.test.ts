import autocannon from 'autocannon'
import t from 'tap'
import { startGatewayProcess } from '../helpers/gateway-process.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

/*
 * One tenant must not starve the others (issue 10: during a batch flood another tenant's call waited
 * 20.9 s, then got 503). The flooding tenant sends batches of slow tool calls (its registry answers
 * after 100 ms) as fast as 32 connections allow, up to 100 requests a second: 1,000 calls a second,
 * many times what its cap lets run (8 calls per 100 ms). Meanwhile another tenant calls, one call after
 * another: every call must be answered, correctly, none refused, none held anywhere near issue 10's
 * wait. Those hold on a loaded machine too; how much the flood slows the other tenant (a latency
 * ratio, which machine load can flip) is measured by `npm run bench:fairness` instead.
 */

const FLOOD_MS = 4000
const SLOW_REGISTRY_MS = 100
/** Far above a served call (milliseconds) on any machine, far below issue 10's 20.9 s starvation. */
const VICTIM_DEADLINE_MS = 10_000

t.test('while one tenant floods, another tenant\'s calls are all answered, none refused or held', async (t) => {
  const registry = await startFakeRegistry(t, {
    intercept: ({ token }) => token === ACME_TOKEN ? { delayMs: SLOW_REGISTRY_MS } : undefined
  })
  // No rate limit: the per-tenant cap on concurrent calls alone has to keep the flood contained. No
  // load shedding: a stall of the shared test machine must not turn the victim's calls into 503s. The
  // gateway runs in its own process, as deployed: its event loop serves both tenants and nothing else.
  const gateway = await startGatewayProcess(t, { MCP_JWT_SECRET: TEST_SECRET, MCP_RATE_LIMIT_MAX: '0', MCP_MAX_EVENT_LOOP_DELAY_MS: '0' })
  const url = `http://127.0.0.1:${gateway.port}`
  const flooder = signToken({ sub: 'flooder', catalog_token: ACME_TOKEN, registry_url: registry.url })
  const victim = signToken({ sub: 'victim', catalog_token: GLOBEX_TOKEN, registry_url: registry.url })
  const victimCall = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }

  const floodState = { on: true }
  const flood = autocannon({
    url: `${url}/mcp`,
    method: 'POST',
    headers: { authorization: `Bearer ${flooder}`, 'content-type': 'application/json' },
    body: JSON.stringify(Array.from({ length: 10 }, (_, id) => ({ ...victimCall, id }))),
    connections: 32,
    overallRate: 100,
    duration: FLOOD_MS / 1000,
    // Its own thread: the flood's client side must not slow the gateway's process.
    workers: 1
  })
  flood.then(() => { floodState.on = false }, () => { floodState.on = false })

  const failures: string[] = []
  let calls = 0
  let slowest = 0
  while (floodState.on) {
    const started = performance.now()
    const res = await rpc(url, victimCall, { authorization: `Bearer ${victim}` })
    const body = await res.json() as { result?: { structuredContent?: { user?: { email?: string } } } }
    const ms = performance.now() - started
    calls++
    slowest = Math.max(slowest, ms)
    if (res.status !== 200 || body.result?.structuredContent?.user?.email !== 'bob@globex.example') failures.push(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}`)
    else if (ms > VICTIM_DEADLINE_MS) failures.push(`answered after ${ms.toFixed(0)} ms`)
  }
  const result = await flood
  t.ok(calls > 0, `the other tenant made ${calls} calls during the flood (slowest ${slowest.toFixed(0)} ms)`)
  t.same(failures, [], 'each was answered correctly, none refused, none held past the deadline')
  t.ok(result.requests.total > 0, `the flood sent ${result.requests.total} batches of 10`)
  const refused = result.statusCodeStats?.['429']?.count ?? 0
  t.ok(refused > 0, `the flooder was turned away: ${refused} answers 429`)
  t.ok(gateway.logs.some((e) => e.reason === 'too_many_concurrent_calls' || e.msg === 'tool call refused: too many concurrent calls for this tenant'), 'the flooding tenant hit its cap')
})
