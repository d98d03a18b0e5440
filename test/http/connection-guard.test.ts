import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import t from 'tap'
import { DRAIN_MAX_BYTES } from '../../src/http/connection-guard.js'
import { startGateway } from '../helpers/app.js'
import { signToken } from '../helpers/tokens.js'

/*
 * Refusals over real sockets: the client must read a complete JSON answer, never a reset, and the
 * connection must close gracefully (or stay usable) afterwards.
 */

const toolsList = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })

interface Outcome { status?: number, headers?: IncomingHttpHeaders, body: string, errors: string[], reusedSocket: boolean }

/** A request with a body of `bodyBytes` spaces in 64 KiB chunks; errors are collected, also those after the answer. */
function send (url: string, agent: Agent, options: { method?: string, headers: OutgoingHttpHeaders, bodyBytes?: number }): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { body: '', errors: [], reusedSocket: false }
    let answered = false
    let uploaded = options.bodyBytes === undefined
    const done = () => { if (answered && uploaded) setTimeout(() => resolve(outcome), 50) }
    const req = request(`${url}/mcp`, { method: options.method ?? 'POST', headers: options.headers, agent }, (res) => {
      outcome.status = res.statusCode
      outcome.headers = res.headers
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { outcome.body += chunk })
      res.on('end', () => { answered = true; done() })
    })
    req.on('socket', () => { outcome.reusedSocket = req.reusedSocket })
    req.on('error', (err: NodeJS.ErrnoException) => { outcome.errors.push(err.code ?? err.message); answered = uploaded = true; done() })
    if (options.bodyBytes === undefined) {
      req.end(toolsList)
      return
    }
    // Written without waiting for 'drain': node:http stops relaying 'drain' to a request once its
    // response has ended, so a client waiting for it would stall after an early answer.
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    for (let left = options.bodyBytes; left > 0; left -= chunk.length) req.write(chunk.subarray(0, Math.min(chunk.length, left)))
    req.end(() => { uploaded = true; done() })
  })
}

const json = (token = signToken()) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

t.test('an authenticated oversized body gets a complete 413 and the connection stays usable', async (t) => {
  const { url } = await startGateway(t)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const sized = await send(url, agent, { headers: { ...json(), 'content-length': 5 * 1024 * 1024 }, bodyBytes: 5 * 1024 * 1024 })
  t.same(sized.errors, [], 'no EPIPE/ECONNRESET while the client finishes its upload')
  t.equal(sized.status, 413)
  t.match(JSON.parse(sized.body), { jsonrpc: '2.0', id: null, error: { code: -32001, data: { reason: 'body_too_large' } } })
  const chunked = await send(url, agent, { headers: json(), bodyBytes: 3 * 1024 * 1024 })
  t.same(chunked.errors, [], 'chunked upload without Content-Length: no reset either')
  t.equal(chunked.status, 413)
  const next = await send(url, agent, { headers: json() })
  t.equal(next.status, 200)
  t.ok(next.reusedSocket, 'the next request reuses the same keep-alive connection')
})

t.test('the limit follows MCP_BODY_LIMIT_BYTES', async (t) => {
  const { url } = await startGateway(t, { bodyLimitBytes: 1000 })
  const res = await fetch(`${url}/mcp`, { method: 'POST', headers: json(), body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1000) } }) })
  t.equal(res.status, 413)
  t.match(await res.json(), { error: { data: { reason: 'body_too_large' } } })
})

t.test('an upload that goes on past the drain bound is cut off, after the 413 was delivered', async (t) => {
  const { url } = await startGateway(t)
  const port = Number(new URL(url).port)
  const total = 4 * DRAIN_MAX_BYTES
  const result = await new Promise<{ response: string, sent: number }>((resolve) => {
    let response = ''
    let sent = 0
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST /mcp HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${signToken()}\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`)
      const chunk = Buffer.alloc(256 * 1024, 0x20)
      const pump = () => {
        while (!socket.destroyed && sent < total) {
          sent += chunk.length
          if (!socket.write(chunk)) { socket.once('drain', pump); return }
        }
      }
      pump()
    })
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => { response += data })
    socket.on('error', () => {})
    socket.on('close', () => { resolve({ response, sent }) })
  })
  t.match(result.response, /^HTTP\/1\.1 413 /, 'the answer arrived before the cut')
  t.match(result.response, /"reason":"body_too_large"/)
  t.ok(result.sent < total, `closed after ${(result.sent / 2 ** 20).toFixed(0)} MiB of ${total / 2 ** 20} MiB`)
  t.equal((await fetch(`${url}/healthz`)).status, 200)
})

t.test('headers over the limit get a JSON 431 the client can read, not a reset', async (t) => {
  const { url } = await startGateway(t)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const huge = signToken({ pad: 'x'.repeat(64 * 1024) })
  t.equal((await send(url, agent, { headers: json() })).status, 200, 'a first request opens a keep-alive connection')
  const res = await send(url, agent, { headers: json(huge) })
  t.same(res.errors, [])
  t.equal(res.status, 431)
  t.equal(res.headers?.connection, 'close')
  t.match(JSON.parse(res.body), { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'The request headers are too large.', data: { reason: 'headers_too_large' } } })
  const head = await send(url, agent, { method: 'HEAD', headers: json(huge) })
  t.same(head.errors, [], 'HEAD: no body after the head, so the client parser stays in sync')
  t.equal(head.status, 431)
  t.equal((await send(url, agent, { headers: json() })).status, 200, 'the next request is served')
  const viaFetch = await fetch(`${url}/mcp`, { method: 'POST', headers: json(huge), body: toolsList })
  t.equal(viaFetch.status, 431)
  t.match(await viaFetch.json(), { error: { data: { reason: 'headers_too_large' } } })
})

/** Sends bytes on a raw socket (optionally more after the answer) and reads until the gateway closes. */
function raw (url: string, payload: string, after?: Buffer): Promise<{ response: string, error?: string }> {
  return new Promise((resolve) => {
    let response = ''
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => { socket.write(payload) })
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => {
      if (response === '' && after !== undefined) socket.end(after)
      response += data
    })
    socket.on('error', (err: NodeJS.ErrnoException) => { resolve({ response, error: err.code }) })
    socket.on('close', () => { resolve({ response }) })
  })
}

t.test('garbage on the wire gets a JSON 400 and a graceful close', async (t) => {
  const { url } = await startGateway(t)
  const garbage = await raw(url, 'GARBAGE\r\n\r\n')
  t.equal(garbage.error, undefined, 'closed with FIN, no reset')
  t.match(garbage.response, /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.match(garbage.response, /\r\n\r\n\{"jsonrpc":"2\.0","error":\{"code":-32001,"message":"Bad request\.","data":\{"reason":"bad_request"\}\},"id":null\}$/)
  const smuggling = await raw(url, 'POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
  t.match(smuggling.response, /^HTTP\/1\.1 400 .*"reason":"bad_request"/s, 'Content-Length with Transfer-Encoding is refused')
  // The client keeps sending after its oversized head was answered: the gateway reads it rather than
  // closing on unread bytes, which would reset the connection under the answer.
  const lingering = await raw(url, `POST /mcp HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(40_000)}\r\n`, Buffer.alloc(512 * 1024, 0x70))
  t.equal(lingering.error, undefined)
  t.match(lingering.response, /^HTTP\/1\.1 431 .*"reason":"headers_too_large"/s)
})

t.test('an undecodable URL gets a JSON 400', async (t) => {
  const { url } = await startGateway(t)
  const res = await fetch(`${url}/mcp/%c0%af`, { method: 'POST', headers: json(), body: toolsList })
  t.equal(res.status, 400)
  t.match(await res.json(), { jsonrpc: '2.0', error: { data: { reason: 'bad_request' } } })
})

t.test('close does not wait for keep-alive to expire on a connection that was busy when it started', async (t) => {
  const { app, url } = await startGateway(t)
  // Refused from its headers (no token) while its 3 MB body is still arriving: busy when close starts.
  const res = await fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"x":"${'y'.repeat(3 * 1024 * 1024)}"}` })
  t.equal(res.status, 401)
  await res.arrayBuffer()
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 2000, `closed in ${Date.now() - started} ms`)
})
