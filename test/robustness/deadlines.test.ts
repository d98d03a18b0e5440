import { connect } from 'node:net'
import t from 'tap'
import { startGateway } from '../helpers/app.js'
import { rpc } from '../helpers/mcp-client.js'
import { pool } from '../helpers/pool.js'
import { signToken } from '../helpers/tokens.js'

/*
 * Deadlines for slow senders (issue 10: slow authenticated bodies stayed open past 95 s): the headers
 * and then the whole request must arrive in time, else a 408 JSON answer, a log line and a close.
 */

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

interface RawAnswer { status: number, reason?: string, ms: number }

/** Writes `text` on a fresh connection and never finishes the request; resolves once the server closes. */
async function stalledRequest (port: number, text: string): Promise<RawAnswer> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { received += chunk })
    socket.on('error', reject)
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)
      const body = received.slice(received.indexOf('\r\n\r\n') + 4)
      let reason: string | undefined
      try {
        reason = (JSON.parse(body) as { error?: { data?: { reason?: string } } }).error?.data?.reason
      } catch {}
      resolve({ status, reason, ms: Date.now() - started })
    })
    socket.write(text)
  })
}

t.test('1000 slow bodies are answered 408 at the MCP_REQUEST_TIMEOUT_MS deadline, each with a log line', async (t) => {
  const { app, url, logs } = await startGateway(t, { headersTimeoutMs: 300, requestTimeoutMs: 600, rateLimitMax: 0, maxEventLoopDelayMs: 0 })
  const port = Number(new URL(url).port)
  const head = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${signToken()}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`
  const answers = await pool(1000, 250, () => stalledRequest(port, `${head}{"jsonrpc":"2.0",`))
  const timedOut = answers.filter((a) => a.status === 408 && a.reason === 'request_timeout')
  t.equal(timedOut.length, 1000, 'every slow body got a 408 request_timeout JSON answer')
  const slowest = Math.max(...answers.map((a) => a.ms))
  t.ok(slowest < 10_000, `closed after at most ${slowest} ms (deadline 600 ms; 250 at a time on a shared machine)`)
  const lines = logs.entries.filter((e) => e.msg === 'request not received within MCP_HEADERS_TIMEOUT_MS/MCP_REQUEST_TIMEOUT_MS; answered 408 and closed')
  t.equal(lines.length, 1000, 'one log line each')
  t.notOk(logs.text.includes(head.split('Bearer ')[1]!.split('\r')[0]!), 'the token is not logged')
  t.equal((await rpc(url, { jsonrpc: '2.0', id: 1, method: 'ping' }, auth(signToken()))).status, 200, 'still serving')
  t.equal(app.server.listening, true)
})

t.test('slow headers are answered 408 at the MCP_HEADERS_TIMEOUT_MS deadline', async (t) => {
  const { url, logs } = await startGateway(t, { headersTimeoutMs: 300, requestTimeoutMs: 5000, maxEventLoopDelayMs: 0 })
  const port = Number(new URL(url).port)
  const answers = await Promise.all(Array.from({ length: 20 }, () => stalledRequest(port, 'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl')))
  t.ok(answers.every((a) => a.status === 408 && a.reason === 'request_timeout'), 'all answered 408 request_timeout')
  const slowest = Math.max(...answers.map((a) => a.ms))
  t.ok(slowest < 3000, `within ${slowest} ms (deadline 300 ms, well before the 5 s request deadline)`)
  t.equal(logs.entries.filter((e) => e.reason === 'request_timeout').length, 20, 'one log line each')
})
