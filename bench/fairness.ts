/**
 * npm run bench:fairness [-- --rounds 7]
 *
 * How much one tenant's flood slows another tenant (test/e2e/fairness.test.ts asserts only what
 * load cannot flip: every call answered, none refused or held). The flooder sends batches of ten slow
 * tool calls (its registry answers after 100 ms), up to 100 requests a second on 32 connections; the
 * other tenant's latency is sampled idle and during the flood, in alternating windows so that the
 * machine's own background load falls on both alike. Prints the medians over rounds of each window's p99.
 */
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { ACME_TOKEN, GLOBEX_TOKEN } from '../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../packages/sample-stack/src/server.js'
import { signHs256 } from '../src/auth/token.js'
import { BENCH_SECRET, spawnGateway, stopGateway } from './shared.js'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } })
const ROUNDS = Number(values.rounds)
const WINDOW_MS = 2000

const registry = await startSampleRegistry({ port: 0, host: '127.0.0.1', intercept: ({ token }) => token === ACME_TOKEN ? { delayMs: 100 } : undefined })
const { child, port } = await spawnGateway({ MCP_RATE_LIMIT_MAX: '0' })
const url = `http://127.0.0.1:${port}/mcp`
const token = (sub: string, catalogToken: string) => signHs256({ sub, catalog_token: catalogToken, registry_url: registry.url, exp: Math.floor(Date.now() / 1000) + 3600 }, BENCH_SECRET)
const [flooder, victim] = [token('flooder', ACME_TOKEN), token('victim', GLOBEX_TOKEN)]
const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }

const p99 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]!
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The victim's call latencies (ms), one call after another, until `ms` have passed. */
async function sample (ms: number): Promise<number[]> {
  const latencies: number[] = []
  for (const end = Date.now() + ms; Date.now() < end;) {
    const started = performance.now()
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${victim}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(call) })
    await res.text()
    if (res.status !== 200) throw new Error(`victim call answered ${res.status}`)
    latencies.push(performance.now() - started)
  }
  return latencies
}

await sample(500)
const idle: number[] = []
const flooded: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  idle.push(p99(await sample(WINDOW_MS)))
  const flood = autocannon({
    url,
    method: 'POST',
    headers: { authorization: `Bearer ${flooder}`, 'content-type': 'application/json' },
    body: JSON.stringify(Array.from({ length: 10 }, (_, id) => ({ ...call, id }))),
    connections: 32,
    overallRate: 100,
    duration: (WINDOW_MS + 1000) / 1000,
    workers: 1
  })
  await sleep(500)
  flooded.push(p99(await sample(WINDOW_MS)))
  await flood
}
const [idleP99, floodP99] = [median(idle), median(flooded)]
console.log(`other tenant's p99: ${idleP99.toFixed(1)} ms idle, ${floodP99.toFixed(1)} ms during the flood (${(floodP99 / idleP99).toFixed(2)}x, goal < 2x; medians over ${ROUNDS} rounds)`)
await stopGateway(child)
await registry.close()
