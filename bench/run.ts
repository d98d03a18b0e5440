/**
 * npm run bench [-- --duration 10] [-- --soak 200000]
 *
 * Side by side in one run: a bare Fastify route, the same behind JWT verification, the SDK's
 * documented stateless pattern with the gateway's tools, and the gateway itself. Each target runs in
 * its own process; the load generator (autocannon, 20 connections) and a stub registry run here.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startSampleConnect } from '../packages/sample-stack/src/connect.js'
import { benchSignIn, benchToken } from './shared.js'

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, soak: { type: 'string' }, connections: { type: 'string', default: '20' }, only: { type: 'string' } } })
const duration = Number(values.duration)
const connections = Number(values.connections)

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

interface Row { name: string, target: string, path: string, request: { method: 'POST', headers: Record<string, string>, body: string }, expect: number, signIn?: boolean }
const rows: Row[] = [
  { name: 'bare route', target: 'bare', path: '/bare', request: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, expect: 200 },
  { name: 'bare route + JWT', target: 'jwt-only', path: '/bare', request: { ...rpc({}) }, expect: 200 },
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

async function startTarget (target: string): Promise<{ child: ChildProcess, port: number }> {
  // The traced target exports its spans to the stub registry, which answers any POST with 200.
  // The stack target fronts the stub registry, with the Connect stand-in as its Connect.
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: target === 'gateway-traced' ? registryUrl : undefined, BENCH_STACK_REGISTRY: registryUrl, BENCH_CONNECT_URL: connect.url }
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./targets.ts', import.meta.url).pathname, target], { stdio: ['ignore', 'pipe', 'inherit'], env })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`target ${target} exited with ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /PORT (\d+)/.exec(chunk.toString())
      if (match !== null) resolve(Number(match[1]))
    })
  })
  return { child, port }
}

/** CPU seconds (user + system) the process has used so far, from /proc (clock ticks of 10 ms). */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

async function load (port: number, row: Row, options: { duration?: number, amount?: number }) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${row.path}`, connections, ...row.request, ...options })
  const wrong = row.expect === 200 ? result.non2xx : result.requests.total - result.non2xx
  if (wrong > 0 || result.errors > 0) throw new Error(`${row.name}: ${wrong} unexpected statuses, ${result.errors} errors`)
  return result
}

async function stop (child: ChildProcess) {
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
}

if (values.soak !== undefined) {
  const total = Number(values.soak)
  const row = rows.find((r) => r.name === 'gateway tools/call (registry)')!
  const { child, port } = await startTarget(row.target)
  await load(port, row, { amount: 10_000 })
  const baseline = rssMb(child.pid!)
  console.log(`soak: gateway tools/call, ${total} requests; RSS after 10k warm-up ${baseline.toFixed(1)} MB`)
  let last = baseline
  for (let done = 10_000; done < total + 10_000; done += 10_000) {
    await load(port, row, { amount: 10_000 })
    last = rssMb(child.pid!)
    console.log(`${String(done).padStart(7)} requests  RSS ${last.toFixed(1)} MB`)
  }
  const drift = (last - baseline) / baseline * 100
  console.log(`RSS drift over ${total} requests: ${drift.toFixed(1)}% (goal: within 10%)`)
  await stop(child)
} else {
  const results: Array<{ name: string, reqPerSec: number, p50Ms: number, p99Ms: number, cpuUsPerRequest: number, rssMb: number }> = []
  // --only <text> runs the rows whose name contains it (for iterating on one path).
  for (const row of rows.filter((r) => values.only === undefined || r.name.includes(values.only))) {
    const { child, port } = await startTarget(row.target)
    if (row.signIn === true) row.request = { ...row.request, headers: { ...row.request.headers, authorization: `Bearer ${await benchSignIn(`http://127.0.0.1:${port}`)}` } }
    await load(port, row, { duration: 2 })
    const cpuBefore = cpuSeconds(child.pid!)
    const r = await load(port, row, { duration })
    // CPU per request of the target alone: throughput at a fixed 20 connections also depends on the
    // stub registry and the load generator, which share this machine's two cores with it.
    const cpuUsPerRequest = Math.round((cpuSeconds(child.pid!) - cpuBefore) * 1e6 / r.requests.total)
    results.push({ name: row.name, reqPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, cpuUsPerRequest, rssMb: Math.round(rssMb(child.pid!)) })
    await stop(child)
  }
  const rate = (name: string) => results.find((r) => r.name === name)?.reqPerSec ?? Number.NaN
  const cpu = (name: string) => results.find((r) => r.name === name)?.cpuUsPerRequest ?? Number.NaN
  const ratios = {
    gatewayOverSdkPatternRegistryCall: +(rate('gateway tools/call (registry)') / rate('SDK pattern tools/call (registry)')).toFixed(2),
    gatewayOverSdkPatternPureCall: +(rate('gateway tools/call (pure)') / rate('SDK pattern tools/call (pure)')).toFixed(2),
    sdkPatternOverGatewayCpuPerRegistryCall: +(cpu('SDK pattern tools/call (registry)') / cpu('gateway tools/call (registry)')).toFixed(2),
    gatewayRegistryCallOverBare: +(rate('gateway tools/call (registry)') / rate('bare route')).toFixed(3),
    bareOverGateway401: +(rate('bare route') / rate('gateway 401 (no token)')).toFixed(2)
  }
  console.log(`\n${connections} connections, ${duration} s per row, node ${process.version}\n`)
  console.log('row'.padEnd(40) + 'req/s'.padStart(9) + 'p50 ms'.padStart(9) + 'p99 ms'.padStart(9) + 'CPU us/req'.padStart(12) + 'RSS MB'.padStart(9))
  for (const r of results) console.log(r.name.padEnd(40) + String(r.reqPerSec).padStart(9) + String(r.p50Ms).padStart(9) + String(r.p99Ms).padStart(9) + String(r.cpuUsPerRequest).padStart(12) + String(r.rssMb).padStart(9))
  console.log(`\ngateway / SDK pattern, tools/call with a registry call: ${ratios.gatewayOverSdkPatternRegistryCall}x (goal >= 3)`)
  console.log(`gateway / SDK pattern, tools/call without one:          ${ratios.gatewayOverSdkPatternPureCall}x`)
  console.log(`CPU per call, SDK pattern / gateway (registry call):   ${ratios.sdkPatternOverGatewayCpuPerRegistryCall}x`)
  console.log(`gateway tools/call (registry) / bare route:             ${ratios.gatewayRegistryCallOverBare}`)
  console.log(`bare route / gateway 401:                               ${ratios.bareOverGateway401}x (goal <= 2)`)
  writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, connections, durationSeconds: duration, results, ratios }, null, 2) + '\n')
}
registry.close()
await connect.close()
