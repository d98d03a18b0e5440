/** The table bench/run.ts prints: medians per row, this checkout and (with --compare) the other, and the ratios the goals name. */
import { cpus, loadavg } from 'node:os'
import { median, placement } from './measure.js'

interface Figures { reqPerSec: number, p50Ms: number, p99Ms: number, cpuUsPerRequest: number, rssMb: number, warmupSeconds: number }
interface Result { name: string, new: Figures, old?: Figures, newRuns: number[] }

export function report (results: Result[], run: { connections: number, duration: number, repeat: number, compare?: string }) {
  const find = (name: string) => results.find((r) => r.name === name)
  /** Throughput of `a` over `b`, round by round (each round measures both within a minute), then the median. */
  const paired = (a: string, b: string) => {
    const x = find(a)?.newRuns ?? []
    const y = find(b)?.newRuns ?? []
    const ratios = x.slice(0, y.length).map((value, i) => value / y[i]!)
    return ratios.length === 0 ? Number.NaN : +median(ratios).toFixed(2)
  }
  const cpu = (name: string) => find(name)?.new.cpuUsPerRequest ?? Number.NaN
  const ratios = {
    gatewayOverSdkPatternRegistryCall: paired('gateway tools/call (registry)', 'SDK pattern tools/call (registry)'),
    gatewayOverSdkPatternPureCall: paired('gateway tools/call (pure)', 'SDK pattern tools/call (pure)'),
    gatewayOverMinimalProxy: paired('gateway tools/call (registry)', 'minimal proxy (JWT + registry POST)'),
    sdkPatternOverGatewayCpuPerRegistryCall: +(cpu('SDK pattern tools/call (registry)') / cpu('gateway tools/call (registry)')).toFixed(2),
    bareOverGateway401: paired('bare route', 'gateway 401 (no token)')
  }
  const load = loadavg().map((l) => l.toFixed(1)).join(' ')
  console.log(`\n${run.connections} connections, ${run.duration} s per row after warm-up, median of ${run.repeat}, node ${process.version}, ${cpus().length} CPUs (${placement}), load average ${load}`)
  if (run.compare !== undefined) console.log(`old = ${run.compare}`)
  const head = 'row'.padEnd(42) + 'CPU us/req'.padStart(11) + (run.compare === undefined ? '' : ' (old)'.padStart(7)) + 'req/s'.padStart(8) + (run.compare === undefined ? '' : ' (old)'.padStart(7)) + 'p50 ms'.padStart(8) + 'p99 ms'.padStart(8) + 'RSS MB'.padStart(8) + 'warm-up s'.padStart(10)
  console.log(head)
  for (const r of results) {
    const old = (value: number | undefined) => run.compare === undefined ? '' : (value === undefined ? '-' : String(value)).padStart(7)
    console.log(r.name.padEnd(42) + String(r.new.cpuUsPerRequest).padStart(11) + old(r.old?.cpuUsPerRequest) + String(r.new.reqPerSec).padStart(8) + old(r.old?.reqPerSec) +
      String(r.new.p50Ms).padStart(8) + String(r.new.p99Ms).padStart(8) + String(r.new.rssMb).padStart(8) + String(r.new.warmupSeconds).padStart(10))
  }
  console.log('\nthroughput, paired by round (medians):')
  console.log(`gateway / SDK pattern, tools/call with a registry call: ${ratios.gatewayOverSdkPatternRegistryCall}x (goal >= 3)`)
  console.log(`gateway / minimal proxy, the same registry call:        ${ratios.gatewayOverMinimalProxy} (goal >= 0.8)`)
  console.log(`gateway / SDK pattern, tools/call without one:          ${ratios.gatewayOverSdkPatternPureCall}x`)
  console.log(`CPU per call, SDK pattern / gateway (registry call):   ${ratios.sdkPatternOverGatewayCpuPerRegistryCall}x`)
  console.log(`bare route / gateway 401:                               ${ratios.bareOverGateway401}x (goal <= 2)`)
  return { ratios, loadAverage: loadavg() }
}
