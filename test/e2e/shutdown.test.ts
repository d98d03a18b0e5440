import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Agent, request } from 'node:http'
import { connect } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { ACME_TOKEN, closedPortUrl, startFakeRegistry } from '../helpers/fake-registry.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

/*
 * The real command line, stopped with SIGTERM while tool calls are in flight, as ECS stops a task:
 * every in-flight call completes, new connections are refused, and the process exits 0 within
 * MCP_SHUTDOWN_TIMEOUT_MS (or 1 when the deadline passes first).
 */

const IN_FLIGHT = 50
const REGISTRY_DELAY_MS = 1500

interface Gateway { child: ChildProcess, port: number, output: () => string, exit: Promise<number | null> }

async function startCli (t: Test, env: Record<string, string>): Promise<Gateway> {
  const port = Number(new URL(await closedPortUrl()).port)
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../../src/cli.ts', import.meta.url).pathname, 'serve'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MCP_JWT_SECRET: TEST_SECRET, MCP_ALLOWED_REGISTRY_HOSTS: '127.0.0.1:*', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const exit = once(child, 'exit').then(([code]) => code as number | null)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const deadline = Date.now() + 20_000
  while (!output.includes('Server listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gateway did not start:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { child, port, output: () => output, exit }
}

function authStatus (port: number, agent: Agent, token: string, id: number): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk }).on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }))
  })
}

function tryConnect (port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? err.message) })
  })
}

async function slowRegistry (t: Test) {
  return startFakeRegistry(t, { intercept: () => ({ delayMs: REGISTRY_DELAY_MS }) })
}

t.test(`SIGTERM with ${IN_FLIGHT} slow tool calls in flight: all complete, new connections refused, exit 0`, async (t) => {
  const registry = await slowRegistry(t)
  const deadlineMs = 10_000
  const gateway = await startCli(t, { MCP_SHUTDOWN_TIMEOUT_MS: String(deadlineMs) })
  // One call per user: a single user's calls beyond MCP_TENANT_MAX_CONCURRENT_CALLS would wait their turn.
  const tokens = Array.from({ length: IN_FLIGHT }, (_, id) => signToken({ sub: `user-${id}`, catalog_token: ACME_TOKEN, registry_url: registry.url }))
  // Keep-alive connections, as nginx and MCP clients hold them: each goes idle after its answer and
  // must not keep the process alive until keepAliveTimeout.
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT })
  t.teardown(() => agent.destroy())

  const calls = tokens.map((token, id) => authStatus(gateway.port, agent, token, id))
  while (registry.requests.length < IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 20))
  const signalled = Date.now()
  gateway.child.kill('SIGTERM')

  let refusedAfterMs: number | undefined
  while (refusedAfterMs === undefined && Date.now() - signalled < 1000) {
    if (await tryConnect(gateway.port) === 'ECONNREFUSED') refusedAfterMs = Date.now() - signalled
    else await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const answers = await Promise.all(calls)
  const answeredAfterMs = Date.now() - signalled
  const code = await gateway.exit
  const exitedAfterMs = Date.now() - signalled

  t.ok(refusedAfterMs !== undefined && refusedAfterMs < answeredAfterMs, `new connections refused ${refusedAfterMs} ms after SIGTERM, while calls were still in flight`)
  t.equal(answers.filter((a) => a.status === 200).length, IN_FLIGHT, 'every in-flight call answered 200')
  const results = answers.map((a) => JSON.parse(a.body) as { id: number, result?: { isError?: boolean, structuredContent?: { user?: { email?: string } } } })
  t.same(results.map((r) => r.id), Array.from({ length: IN_FLIGHT }, (_, id) => id), 'each with its own id')
  t.ok(results.every((r) => r.result?.isError !== true && r.result?.structuredContent?.user?.email === 'alice@acme.example'), 'each with a proper result')
  t.equal(code, 0, 'exit code 0')
  t.ok(exitedAfterMs < deadlineMs, `exited ${exitedAfterMs} ms after SIGTERM (answers done at ${answeredAfterMs} ms; deadline ${deadlineMs} ms)`)
  t.ok(exitedAfterMs - answeredAfterMs < 2000, 'idle keep-alive connections did not hold the exit')
  t.match(gateway.output(), /shutting down: finishing in-flight requests/)
  t.comment(`shutdown: ${IN_FLIGHT} in flight, refused new connections after ${refusedAfterMs} ms, last answer ${answeredAfterMs} ms, exit ${code} after ${exitedAfterMs} ms`)
})

t.test('a shutdown that overruns MCP_SHUTDOWN_TIMEOUT_MS exits 1 at the deadline', async (t) => {
  const registry = await slowRegistry(t)
  const gateway = await startCli(t, { MCP_SHUTDOWN_TIMEOUT_MS: '300' })
  const token = signToken({ sub: 'alice', catalog_token: ACME_TOKEN, registry_url: registry.url })
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const call = authStatus(gateway.port, agent, token, 1).catch((err: NodeJS.ErrnoException) => err.code)
  while (registry.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 20))
  const signalled = Date.now()
  gateway.child.kill('SIGTERM')
  t.equal(await gateway.exit, 1)
  t.ok(Date.now() - signalled < REGISTRY_DELAY_MS, `killed at the deadline (${Date.now() - signalled} ms), not after the call`)
  await call
})
