import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { signHs256 } from '../src/auth/token.js'

export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

/** An HS256 token for the bench tenant whose registry is the stub on `registryUrl`. */
export function benchToken (registryUrl: string): string {
  return signHs256({ sub: 'bench', catalog_token: 'bench-catalog-token', registry_url: registryUrl, catalog_url: 'https://catalog.example.com', exp: Math.floor(Date.now() / 1000) + 3600 }, BENCH_SECRET)
}

/** `serve` in its own process, as deployed, on a free port; resolves once /healthz answers. */
export async function spawnGateway (env: Record<string, string>): Promise<{ child: ChildProcess, port: number }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../src/cli.ts', import.meta.url).pathname, 'serve'], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', MCP_JWT_SECRET: BENCH_SECRET, MCP_ALLOWED_REGISTRY_HOSTS: '127.0.0.1:*', MCP_MAX_EVENT_LOOP_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`)
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return { child, port }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export async function stopGateway (child: ChildProcess): Promise<void> {
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
}
