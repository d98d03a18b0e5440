/**
 * What bench/run.ts measures with: a target process (this tree's or another checkout's, for old and
 * new side by side), its CPU and RSS from /proc, and an autocannon load that fails on a wrong status.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import autocannon from 'autocannon'

export interface Row { name: string, target: string, path: string, request: { method: 'POST', headers: Record<string, string>, body: string }, expect: number, signIn?: boolean }

export interface Target { child: ChildProcess, port: number }

/**
 * The target gets the last CPU to itself and this process (load generator, stub registry) the others,
 * where taskset exists and there are two CPUs or more. Unpinned, the scheduler sometimes put both on
 * one CPU for a whole row: the same target measured 187, 189 and 250 µs per request in three rounds
 * (180-187 pinned). Answers the target's CPU, or undefined when nothing is pinned.
 */
function pinCpus (): number | undefined {
  const cpus = availableParallelism()
  if (cpus < 2) return undefined
  try {
    execFileSync('taskset', ['-a', '-p', '-c', `0-${cpus - 2}`, String(process.pid)], { stdio: 'ignore' })
    return cpus - 1
  } catch {
    return undefined
  }
}
const targetCpu = pinCpus()
/** How the processes share the CPUs, for the report's header. */
export const placement = targetCpu === undefined ? 'processes not pinned to CPUs' : `target pinned to CPU ${targetCpu}, load generator and stub registry to the others`

/**
 * Starts `bench/targets.ts <target>` of the checkout at `root` (its own node_modules, its own src) and
 * resolves once it listens; rejects if that checkout has no such target.
 */
export async function startTarget (root: string, target: string, env: NodeJS.ProcessEnv, nodeFlags: string[]): Promise<Target> {
  const node = [process.execPath, ...nodeFlags, '--import', 'tsx', `${root}/bench/targets.ts`, target]
  const [command, ...args] = targetCpu === undefined ? node : ['taskset', '-c', String(targetCpu), ...node]
  const child = spawn(command!, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { if (stderr.length < 2000) stderr += chunk.toString() })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`target ${target} in ${root} exited with ${code}: ${stderr.slice(0, 500)}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /PORT (\d+)/.exec(chunk.toString())
      if (match !== null) resolve(Number(match[1]))
    })
  })
  // Anything a target writes later (audit lines, warnings) is read and dropped, so a full pipe never stalls it.
  child.stdout!.resume()
  return { child, port }
}

export async function stopTarget ({ child }: Target): Promise<void> {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
}

/** CPU seconds (user + system, every thread) the process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

export const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

export async function load (port: number, row: Row, connections: number, options: { duration?: number, amount?: number }) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${row.path}`, connections, ...row.request, ...options })
  const wrong = row.expect === 200 ? result.non2xx : result.requests.total - result.non2xx
  if (wrong > 0 || result.errors > 0) throw new Error(`${row.name}: ${wrong} unexpected statuses, ${result.errors} errors`)
  return result
}

export interface Measured { reqPerSec: number, p50Ms: number, p99Ms: number, cpuUsPerRequest: number, rssMb: number, warmupWindows: number[] }

/**
 * Warms the target up in windows of `windowSeconds` until CPU per request has settled (three windows in a
 * row within 10% of each other, after at least `minWarmupSeconds`; JIT compilation runs on V8's own
 * threads and is part of the process CPU, so a settled figure means compilation is done), then measures.
 * CPU per request is the target's alone: throughput also depends on the load generator and the stub
 * registry, which share the machine with it.
 */
export async function measure (target: Target, row: Row, connections: number, opts: { duration: number, minWarmupSeconds: number, maxWarmupSeconds: number }): Promise<Measured> {
  const pid = target.child.pid!
  const windowSeconds = 2
  const warmupWindows: number[] = []
  for (let elapsed = 0; elapsed < opts.maxWarmupSeconds; elapsed += windowSeconds) {
    const before = cpuSeconds(pid)
    const r = await load(target.port, row, connections, { duration: windowSeconds })
    warmupWindows.push(Math.round((cpuSeconds(pid) - before) * 1e6 / r.requests.total))
    const recent = warmupWindows.slice(-3)
    if (elapsed + windowSeconds >= opts.minWarmupSeconds && recent.length === 3 && Math.max(...recent) <= 1.1 * Math.min(...recent)) break
  }
  const before = cpuSeconds(pid)
  const r = await load(target.port, row, connections, { duration: opts.duration })
  return {
    reqPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    cpuUsPerRequest: Math.round((cpuSeconds(pid) - before) * 1e6 / r.requests.total),
    rssMb: Math.round(rssMb(pid)),
    warmupWindows
  }
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
