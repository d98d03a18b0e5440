import { spawn } from 'node:child_process'
import type { Test } from 'tap'
import { freePort } from './ports.js'

export interface GatewayProcess {
  port: number
  pid: number
  /** JSON log lines the process has written so far. */
  logs: Array<Record<string, unknown>>
}

/** The real command line (`serve`) as a separate process, as a container runs it. */
export async function startGatewayProcess (t: Test, env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../../src/cli.ts', import.meta.url).pathname, 'serve'], {
    // Load shedding off unless a test turns it on: a loaded CI machine lags the loop for reasons of its own.
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', MCP_ALLOWED_REGISTRY_HOSTS: 'registry.example.com,127.0.0.1:*', MCP_MAX_EVENT_LOOP_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const logs: Array<Record<string, unknown>> = []
  t.teardown(() => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  }))
  await new Promise<void>((resolve, reject) => {
    let buffered = ''
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before listening`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>
        logs.push(entry)
        if (typeof entry.msg === 'string' && entry.msg.startsWith('Server listening')) resolve()
      }
    })
  })
  return { port, pid: child.pid!, logs }
}
