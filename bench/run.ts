/**
 * npm run bench [-- --duration 10] [-- --repeat 3] [-- --compare <checkout>] [-- --only 'row|row'] [-- --cpu-prof <dir>] [-- --soak 200000]
 *
 * Side by side in one run: a bare Fastify route, the same behind JWT verification, a minimal
 * authenticated proxy (JWT check + the same GraphQL POST), the SDK's documented stateless pattern with
 * the gateway's tools, and the gateway itself. Each target runs in its own process; the load generator
 * (autocannon, 20 connections) and a stub registry run here. With --compare, every row the other
 * checkout also has (e.g. a worktree of the previous release) is measured there too, the two
 * alternating, so old and new share the machine's load alike. --repeat N reports medians of N rounds.
 */
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startSampleConnect } from '../packages/sample-stack/src/connect.js'
import { load, measure, median, rssMb, startTarget, stopTarget, type Measured, type Row } from './measure.js'
import { benchSignIn, benchToken } from './shared.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    soak: { type: 'string' },
    connections: { type: 'string', default: '20' },
    only: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    compare: { type: 'string' },
    'min-warmup': { type: 'string', default: '12' },
    'max-warmup': { type: 'string', default: '30' },
    'cpu-prof': { type: 'string' }
  }
})
const duration = Number(values.duration)
const connections = Number(values.connections)
const repeat = Number(values.repeat)
const here = resolve(fileURLToPath(new URL('..', import.meta.url)))
const other = values.compare === undefined ? undefined : resolve(values.compare)
// --cpu-prof <dir> writes each target's V8 CPU profile there when it stops (open in Chrome DevTools).
const nodeFlags = values['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`]

const ME = JSON.stringify({ data: { me: { name: 'Bench User', email: 'bench@example.com', isAdmin: false, role: { name: 'ReadWrite' }, roles: [{ name: 'ReadWrite' }] } } })
// quilt3's login exchange, for the sign-in row: any code opens a day-long session.
const SESSION = JSON.stringify({ access_token: 'bench-catalog-token', refresh_token: 'bench-refresh', expires_at: Math.floor(Date.now() / 1000) + 86_400 })
const registry = createServer((req, res) => {
  req.resume()
  const body = req.url === '/api/token' ? SESSION : ME
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body) })
})
await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve))
const registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`
const token = benchToken(registryUrl)
// The stub registry answers `me` for any bearer, so any qk_ key is good; Connect's tokens come from the sample stand-in.
const connect = await startSampleConnect()
const apiKey = 'qk_bench-api-key'
const connectToken = await connect.mint('bench', { expiresIn: 3600 })

const rpc = (body: unknown, bearer = token) => ({
  method: 'POST' as const,
  headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
  body: JSON.stringify(body)
})
// auth_status makes one registry call (the common case); catalog_url makes none (the gateway alone).
const toolsCall = rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } })
const pureCall = rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'catalog_url', arguments: { bucket: 'quilt-example' } } })
const toolsList = rpc({ jsonrpc: '2.0', id: 1, method: 'tools/list' })

const rows: Row[] = [
  { name: 'bare route', target: 'bare', path: '/bare', request: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, expect: 200 },
  { name: 'bare route + JWT', target: 'jwt-only', path: '/bare', request: { ...rpc({}) }, expect: 200 },
  { name: 'minimal proxy (JWT + registry POST)', target: 'proxy', path: '/mcp', request: toolsCall, expect: 200 },
  { name: 'SDK pattern tools/call (registry)', target: 'sdk-pattern', path: '/mcp', request: toolsCall, expect: 200 },
  { name: 'SDK pattern tools/call (pure)', target: 'sdk-pattern', path: '/mcp', request: pureCall, expect: 200 },
  { name: 'gateway tools/list', target: 'gateway', path: '/mcp', request: toolsList, expect: 200 },
  { name: 'gateway tools/call (registry)', target: 'gateway', path: '/mcp', request: toolsCall, expect: 200 },
  { name: 'gateway tools/call (pure)', target: 'gateway', path: '/mcp', request: pureCall, expect: 200 },
  // The same call with an access token of the gateway's own sign-in server (sealed; signed in first).
  { name: 'gateway tools/call (registry), OAuth', target: 'gateway-sign-in', path: '/mcp', request: toolsCall, expect: 200, signIn: true },
  { name: 'gateway tools/call (registry), API key', target: 'gateway-stack', path: '/mcp', request: rpc(JSON.parse(toolsCall.body), apiKey), expect: 200 },
  { name: 'gateway tools/call (registry), Connect', target: 'gateway-stack', path: '/mcp', request: rpc(JSON.parse(toolsCall.body), connectToken), expect: 200 },
  { name: 'gateway tools/call (registry), traced', target: 'gateway-traced', path: '/mcp', request: toolsCall, expect: 200 },
  { name: 'gateway 401 (no token)', target: 'gateway', path: '/mcp', request: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, expect: 401 }
]
/** Rows measured in the --compare checkout too: the gateway's own (the others are references, the same code in both). */
const compared = (row: Row) => row.target.startsWith('gateway')

// The traced target exports its spans to the stub registry, which answers any POST with 200.
// The stack target fronts the stub registry, with the Connect stand-in as its Connect.
const targetEnv = (target: string) => ({ ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: target === 'gateway-traced' ? registryUrl : undefined, BENCH_STACK_REGISTRY: registryUrl, BENCH_CONNECT_URL: connect.url })

if (values.soak !== undefined) {
  const total = Number(values.soak)
  const row = rows.find((r) => r.name === 'gateway tools/call (registry)')!
  const target = await startTarget(here, row.target, targetEnv(row.target), nodeFlags)
  await load(target.port, row, connections, { amount: 10_000 })
  const baseline = rssMb(target.child.pid!)
  console.log(`soak: gateway tools/call, ${total} requests; RSS after 10k warm-up ${baseline.toFixed(1)} MB`)
  let last = baseline
  for (let done = 10_000; done < total + 10_000; done += 10_000) {
    await load(target.port, row, connections, { amount: 10_000 })
    last = rssMb(target.child.pid!)
    console.log(`${String(done).padStart(7)} requests  RSS ${last.toFixed(1)} MB`)
  }
  const drift = (last - baseline) / baseline * 100
  console.log(`RSS drift over ${total} requests: ${drift.toFixed(1)}% (goal: within 10%)`)
  await stopTarget(target)
} else {
  const { report } = await import('./report.js')
  // --only 'a|b': rows named exactly so, or else whose names contain it.
  const wanted = values.only?.split('|').filter((w) => w !== '')
  const selected = rows.filter((r) => wanted === undefined || wanted.some((w) => rows.some((row) => row.name === w) ? r.name === w : r.name.includes(w)))
  const runs = new Map<string, { new: Measured[], old: Measured[] }>(selected.map((row) => [row.name, { new: [], old: [] }]))
  const missingInOther = new Set<string>()
  const opts = { duration, minWarmupSeconds: Number(values['min-warmup']), maxWarmupSeconds: Number(values['max-warmup']) }
  for (let round = 0; round < repeat; round++) {
    for (const row of selected) {
      const sides: Array<'new' | 'old'> = other === undefined || !compared(row) || missingInOther.has(row.target) ? ['new'] : ['new', 'old']
      // Alternate which side goes first, so a trend in the machine's load falls on both alike.
      if (round % 2 === 1) sides.reverse()
      for (const side of sides) {
        const root = side === 'new' ? here : other!
        let target
        try {
          target = await startTarget(root, row.target, targetEnv(row.target), nodeFlags)
        } catch (err) {
          if (side === 'new') throw err
          missingInOther.add(row.target)
          continue
        }
        try {
          if (row.signIn === true) row.request = { ...row.request, headers: { ...row.request.headers, authorization: `Bearer ${await benchSignIn(`http://127.0.0.1:${target.port}`)}` } }
          const m = await measure(target, row, connections, opts)
          runs.get(row.name)![side].push(m)
          console.error(`round ${round + 1}/${repeat} ${side} ${row.name}: ${m.reqPerSec} req/s, ${m.cpuUsPerRequest} us CPU/req (warm-up windows: ${m.warmupWindows.join(' ')} us/req)`)
        } finally {
          await stopTarget(target)
        }
      }
    }
  }
  const results = selected.map((row) => {
    const pick = (ms: Measured[]) => ms.length === 0
      ? undefined
      : { reqPerSec: median(ms.map((m) => m.reqPerSec)), p50Ms: median(ms.map((m) => m.p50Ms)), p99Ms: median(ms.map((m) => m.p99Ms)), cpuUsPerRequest: median(ms.map((m) => m.cpuUsPerRequest)), rssMb: median(ms.map((m) => m.rssMb)), warmupSeconds: median(ms.map((m) => m.warmupWindows.length * 2)) }
    const r = runs.get(row.name)!
    return { name: row.name, new: pick(r.new)!, old: pick(r.old), newRuns: r.new.map((m) => m.reqPerSec) }
  })
  const summary = report(results, { connections, duration, repeat, compare: other })
  writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, connections, durationSeconds: duration, repeat, compare: other, results, ...summary }, null, 2) + '\n')
}
registry.close()
await connect.close()
