import { createHash, randomBytes } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { signHs256 } from '../src/auth/token.js'

export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

/** An HS256 token for the bench tenant whose registry is the stub on `registryUrl`. */
export function benchToken (registryUrl: string): string {
  return signHs256({ sub: 'bench', catalog_token: 'bench-catalog-token', registry_url: registryUrl, catalog_url: 'https://catalog.example.com', exp: Math.floor(Date.now() / 1000) + 3600 }, BENCH_SECRET)
}

/**
 * Signs in at a gateway's own sign-in server as an MCP host would (registration, consent page with a
 * login code, /token), for the row that calls with a gateway access token; answers the access token.
 */
export async function benchSignIn (gatewayUrl: string): Promise<string> {
  const redirectUri = 'http://127.0.0.1:9/callback'
  const post = (path: string, type: string, body: string, cookie?: string) => fetch(`${gatewayUrl}${path}`, {
    method: 'POST', redirect: 'manual', body, headers: { 'content-type': type, ...(cookie !== undefined ? { cookie, 'sec-fetch-site': 'same-origin' } : {}) }
  })
  const { client_id: clientId } = await (await post('/mcp/oauth/register', 'application/json', JSON.stringify({ redirect_uris: [redirectUri] }))).json() as { client_id: string }
  const verifier = randomBytes(32).toString('base64url')
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })
  const page = await fetch(`${gatewayUrl}/mcp/oauth/authorize?${query}`)
  const request = /name="request" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
  const cookie = page.headers.get('set-cookie')?.split(';', 1)[0]
  const form = new URLSearchParams({ request, credential: 'bench-login-code', action: 'allow', write: 'on' })
  const location = (await post('/mcp/oauth/authorize', 'application/x-www-form-urlencoded', form.toString(), cookie)).headers.get('location') ?? ''
  const code = new URL(location).searchParams.get('code') ?? ''
  const tokens = await (await post('/mcp/oauth/token', 'application/x-www-form-urlencoded', new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: redirectUri }).toString())).json() as { access_token: string }
  return tokens.access_token
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
