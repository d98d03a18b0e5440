import { spawn } from 'node:child_process'
import type { Test } from 'tap'
import { freePort } from './ports.js'

const INSTALL_HINT = 'install it with `apt-get install -y --no-install-recommends redis-server` (scripts/ensure-redis.sh does), or set REDIS_SERVER_BIN'
const START_TIMEOUT_MS = 5000

export interface RedisHandle {
  url: string
  port: number
  /** Kills the server (SIGKILL: as a crashed or unreachable Redis looks to its clients). */
  kill: () => Promise<void>
  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered, as a stuck Redis. */
  pause: () => void
}

/** A real redis-server on a free loopback port, no persistence, stopped when the test ends. */
export async function startRedis (t: Test): Promise<RedisHandle> {
  const port = await freePort()
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server'
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const collect = (chunk: Buffer) => { output += chunk.toString() }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const kill = async () => {
    // SIGKILL works on a stopped process too.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  t.teardown(kill)
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`could not run ${bin} (${err.message}); ${INSTALL_HINT}`)))
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)))
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS)
    const check = () => {
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', check)
    check()
  })
  return { url: `redis://127.0.0.1:${port}`, port, kill, pause: () => { child.kill('SIGSTOP') } }
}
