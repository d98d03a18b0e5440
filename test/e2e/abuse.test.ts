import { readFileSync } from 'node:fs'
import t from 'tap'
import { startGatewayProcess } from '../helpers/gateway-process.js'
import { rpc } from '../helpers/mcp-client.js'
import { pool } from '../helpers/pool.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

/*
 * The red-team cases of issue 10 with a valid token, over real loopback sockets: the 1 MB batch that
 * used to produce a 311 MB answer, and batches cancelling their own request, a thousand of which used
 * to hold their sockets with no answer and no log line. Slow senders are in deadlines.test.ts.
 */

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
function memoryMb (pid: number): { rss: number, peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN)
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

t.test('a 1 MB batch of 20,500 tools/list answers a small error within a second, with RSS growth under 50 MB', async (t) => {
  // The gateway in its own process, as deployed, so that its peak memory is its own. No load
  // shedding: a stall of the shared test machine must not turn these into 503s.
  const gateway = await startGatewayProcess(t, { MCP_JWT_SECRET: TEST_SECRET, MCP_MAX_EVENT_LOOP_DELAY_MS: '0' })
  const url = `http://127.0.0.1:${gateway.port}`
  const body = JSON.stringify(Array.from({ length: 20_500 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'tools/list' })))
  t.ok(body.length > 900_000 && body.length <= 1024 * 1024, `${body.length} bytes, within MCP_BODY_LIMIT_BYTES`)
  // Warm up, so that what is measured is the batches, not the first request's lazy initialisation.
  await (await rpc(url, { jsonrpc: '2.0', id: 0, method: 'tools/list' }, auth(signToken()))).arrayBuffer()
  const before = memoryMb(gateway.pid)
  // Three (three at once crashed a gateway with a 512 MB heap), from three tenants so that none is
  // stopped early by its rate limit.
  for (const sub of ['mallory-1', 'mallory-2', 'mallory-3']) {
    const started = Date.now()
    const res = await rpc(url, body, auth(signToken({ sub })))
    const text = await res.text()
    const ms = Date.now() - started
    t.equal(res.status, 400)
    t.ok(ms < 1000, `answered in ${ms} ms`)
    t.ok(text.length < 1000, `a bounded answer (${text.length} bytes)`)
    t.match(JSON.parse(text), { error: { message: /at most 10 messages \(this one has 20500\)/, data: { reason: 'batch_too_large' } } })
  }
  const growth = memoryMb(gateway.pid).peak - before.rss
  t.ok(growth < 50, `peak RSS ${growth.toFixed(1)} MB above where it was (${before.rss.toFixed(0)} MB)`)
  t.ok(gateway.logs.some((e) => e.reason === 'batch_too_large'), 'logged with its reason')
})

t.test('1000 batches that cancel their own request all get answers and a log line each', async (t) => {
  // No limits and no load shedding: with them, some of these would rightly get 429 (one tenant sending
  // a thousand), or 503 when the shared test machine stalls the event loop. The gateway runs in its
  // own process, so that it and this client share the machine's cores rather than one event loop.
  const gateway = await startGatewayProcess(t, { MCP_JWT_SECRET: TEST_SECRET, MCP_RATE_LIMIT_MAX: '0', MCP_TENANT_MAX_CONCURRENT_CALLS: '0', MCP_MAX_EVENT_LOOP_DELAY_MS: '0' })
  const url = `http://127.0.0.1:${gateway.port}`
  const token = signToken()
  const started = Date.now()
  const answers = await pool(1000, 50, async (i) => {
    const res = await rpc(url, [
      // A call that needs no registry, so the thousand cost little; that the answer does not wait for a
      // slow registry call is tested in mcp-limits.test.ts.
      { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'catalog_url', arguments: { bucket: 'quilt-example' } } },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: i } }
    ], auth(token))
    const body = await res.json() as Array<{ id: number, error?: { data?: { reason?: string } } }> | { error?: { data?: { reason?: string } } }
    const answer = Array.isArray(body) && body.length === 1 && body[0]?.id === i ? body[0] : Array.isArray(body) ? undefined : body
    return `${res.status} ${answer?.error?.data?.reason ?? 'unexpected'}`
  })
  const tally: Record<string, number> = {}
  for (const answer of answers) tally[answer] = (tally[answer] ?? 0) + 1
  t.same(tally, { '200 cancelled': 1000 }, `all answered "cancelled", in ${Date.now() - started} ms`)
  // The process writes its log lines as it answers; the last ones may still be in the pipe.
  const logged = () => gateway.logs.filter((e) => e.msg === 'request completed' && e.statusCode === 200).length
  for (const end = Date.now() + 5000; logged() < 1000 && Date.now() < end;) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(logged(), 1000, 'one log line each')
})
