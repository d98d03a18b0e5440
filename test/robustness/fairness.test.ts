import { setTimeout as sleep } from 'node:timers/promises'
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
 * many times what its cap lets run (8 calls per 100 ms). Another tenant's latency is sampled idle and
 * during the flood, in alternating windows so that the machine's own background load (a shared
 * 2-core box) falls on both alike.
 */

const ROUNDS = 7
const WINDOW_MS = 2000
/** Fewer rounds when the machine is this slow, within the test runner's 120 s per file. */
const MAX_SAMPLING_MS = 60_000
const SLOW_REGISTRY_MS = 100

function quantile (samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!
}
const p99 = (samples: number[]) => quantile(samples, 0.99)
const median = (values: number[]) => quantile(values, 0.5)

t.test('while one tenant floods, another tenant\'s p99 latency stays under twice its idle value', async (t) => {
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

  /** The victim's call latencies (ms), one call after another, until `ms` have passed. */
  async function sample (ms: number): Promise<number[]> {
    const latencies: number[] = []
    for (const end = Date.now() + ms; Date.now() < end;) {
      const started = performance.now()
      const res = await rpc(url, victimCall, { authorization: `Bearer ${victim}` })
      const body = await res.json() as { result?: { structuredContent?: { user?: { email?: string } } } }
      latencies.push(performance.now() - started)
      if (body.result?.structuredContent?.user?.email !== 'bob@globex.example') throw new Error(`victim call failed: ${JSON.stringify(body)}`)
    }
    return latencies
  }

  await sample(500)
  // Alternating windows, each with its own p99; the medians over the rounds are compared, so that a
  // burst of the shared machine's own load in one window does not decide the outcome.
  const idle: number[] = []
  const flooded: number[] = []
  let samples = 0
  let floodRequests = 0
  const samplingEnds = Date.now() + MAX_SAMPLING_MS
  for (let round = 0; round < ROUNDS && Date.now() < samplingEnds; round++) {
    const quiet = await sample(WINDOW_MS)
    const flood = autocannon({
      url: `${url}/mcp`,
      method: 'POST',
      headers: { authorization: `Bearer ${flooder}`, 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 10 }, (_, id) => ({ ...victimCall, id }))),
      connections: 32,
      // Twelve times what its cap lets run, yet light enough that the flood's own client (autocannon, on
      // the same 2-core machine as the gateway and, in CI, another test file) is not what is measured.
      overallRate: 100,
      duration: (WINDOW_MS + 1000) / 1000,
      // Its own thread: the flood's client side must not slow the measured process, only the gateway's work may.
      workers: 1
    })
    await sleep(500)
    const loud = await sample(WINDOW_MS)
    floodRequests += (await flood).requests.total
    idle.push(p99(quiet))
    flooded.push(p99(loud))
    samples += quiet.length + loud.length
  }
  const [idleP99, floodP99] = [median(idle), median(flooded)]
  t.ok(floodRequests > 0, `the flood sent ${floodRequests} batches of 10`)
  t.ok(gateway.logs.some((e) => e.reason === 'too_many_concurrent_calls' || e.msg === 'tool call refused: too many concurrent calls for this tenant'), 'the flooding tenant hit its cap')
  t.ok(floodP99 < 2 * idleP99, `victim p99 ${floodP99.toFixed(1)} ms during the flood, ${idleP99.toFixed(1)} ms idle (medians over ${idle.length} rounds, ${samples} calls)`)
})
