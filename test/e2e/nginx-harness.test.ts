import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startNginx, type NginxUpstream } from '../helpers/nginx.js'
import { freePort } from '../helpers/ports.js'
import { DEFAULT_BODY_LIMIT_BYTES } from '../../src/config/config.js'

// The real nginx with deploy/nginx/mcp-http.conf and mcp-location.conf included as operators include
// them, in front of plain node:http upstreams standing in for gateway replicas.

interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  bodyBytes: number
}

interface Upstream extends NginxUpstream {
  name: string
  seen: Seen[]
  /** Set by a test to take over the next responses; the default echoes what arrived. */
  handler?: (req: IncomingMessage, res: ServerResponse) => void
}

async function startUpstream (t: Test, name: string): Promise<Upstream> {
  const upstream: Upstream = { name, host: '127.0.0.1', port: 0, seen: [] }
  const server = createServer((req, res) => {
    let bodyBytes = 0
    req.on('data', (chunk: Buffer) => { bodyBytes += chunk.length })
    req.on('end', () => {
      upstream.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes })
      if (upstream.handler !== undefined) return upstream.handler(req, res)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ upstream: name, url: req.url, headers: req.headers, bodyBytes }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  upstream.port = (server.address() as AddressInfo).port
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return upstream
}

const rpc = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })

async function post (url: string, headers: Record<string, string> = {}, body: string | Buffer = rpc) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

t.test('two upstreams are served in turn (round robin)', async (t) => {
  const a = await startUpstream(t, 'a')
  const b = await startUpstream(t, 'b')
  const nginx = await startNginx(t, { upstreams: [a, b] })
  const order: string[] = []
  for (let i = 0; i < 6; i++) {
    const res = await post(`${nginx.url}/mcp`)
    t.equal(res.status, 200)
    order.push((JSON.parse(res.text) as { upstream: string }).upstream)
  }
  t.same(new Set(order), new Set(['a', 'b']), 'both replicas answered')
  for (let i = 1; i < order.length; i++) t.not(order[i], order[i - 1], `request ${i + 1} went to the other replica`)
})

t.test('a text/event-stream response is not buffered: each event arrives while the upstream is still writing', async (t) => {
  const upstream = await startUpstream(t, 'stream')
  const nginx = await startNginx(t, { upstreams: [upstream] })
  const events = ['{"n":1}', '{"n":2}', '{"n":3}']
  // The client calls next() when it has an event; the upstream writes the following one only then,
  // so no event can ride along with the response headers or with another event. Each wait is capped
  // at 2 s: an event held back by nginx makes the assertions below fail rather than the test hang.
  let next: () => void = () => {}
  let upstreamEnded = false
  upstream.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const write = (i: number) => {
      if (i === events.length) {
        upstreamEnded = true
        res.end()
        return
      }
      res.write(`event: message\ndata: ${events[i]}\n\n`)
      const timer = setTimeout(() => write(i + 1), 2000)
      next = () => { clearTimeout(timer); write(i + 1) }
    }
    write(0)
  }

  const result = await new Promise<{ received: Array<{ data: string, whileWriting: boolean }>, headers: IncomingHttpHeaders }>((resolve, reject) => {
    // gzip is on for the whole (simulated) catalog; the MCP location must not compress or hold back.
    const req = request(`${nginx.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'accept-encoding': 'gzip' } }, (res) => {
      const received: Array<{ data: string, whileWriting: boolean }> = []
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        let end: number
        while ((end = text.indexOf('\n\n')) !== -1) {
          const data = /^data: (.*)$/m.exec(text.slice(0, end))?.[1] ?? ''
          text = text.slice(end + 2)
          received.push({ data, whileWriting: !upstreamEnded })
          next()
        }
      })
      res.on('end', () => resolve({ received, headers: res.headers }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(rpc)
  })
  t.same(result.received.map((r) => r.data), events, 'every event arrived, in order')
  t.same(result.received.map((r) => r.whileWriting), [true, true, true], 'each one while the upstream was still writing')
  t.equal(result.headers['content-encoding'], undefined, 'not gzipped')
  t.equal(result.headers['content-type'], 'text/event-stream')
})

t.test('long Authorization headers pass through intact', async (t) => {
  const upstream = await startUpstream(t, 'auth')
  const nginx = await startNginx(t, { upstreams: [upstream] })
  // 2.5 KB is a typical gateway token; 12 KB is past nginx's default 8 KB header buffer.
  for (const size of [2560, 12 * 1024]) {
    const authorization = `Bearer ${randomBytes(size).toString('base64url').slice(0, size)}`
    const res = await post(`${nginx.url}/mcp`, { authorization })
    t.equal(res.status, 200, `${size} bytes accepted`)
    t.equal(upstream.seen.at(-1)?.headers.authorization, authorization, `${size} bytes arrived unchanged`)
  }
})

t.test('forwarding headers reach the upstream', async (t) => {
  const upstream = await startUpstream(t, 'fwd')
  const nginx = await startNginx(t, { upstreams: [upstream] })

  await post(`${nginx.url}/mcp`)
  t.match(upstream.seen.at(-1)?.headers, {
    host: '127.0.0.1',
    'x-forwarded-proto': 'http',
    'x-forwarded-host': `127.0.0.1:${nginx.port}`,
    'x-forwarded-for': '127.0.0.1',
    'x-real-ip': '127.0.0.1'
  }, 'direct client')

  // Behind a TLS-terminating load balancer: its scheme and client address are kept.
  await post(`${nginx.url}/mcp`, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' })
  t.match(upstream.seen.at(-1)?.headers, {
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '203.0.113.7, 127.0.0.1'
  }, 'behind a load balancer')
  t.equal(upstream.seen.at(-1)?.headers.connection, undefined, 'no "Connection: close" upstream (keep-alive)')
})

t.test('the gateway\'s own error responses reach the client unchanged', async (t) => {
  const upstream = await startUpstream(t, 'errors')
  const nginx = await startNginx(t, { upstreams: [upstream] })
  const body = '{"jsonrpc":"2.0","error":{"code":-32001,"message":"No token.","data":{"reason":"missing_token"}},"id":null}'
  upstream.handler = (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' })
    res.end(body)
  }
  const res = await post(`${nginx.url}/mcp`)
  t.equal(res.status, 401)
  t.equal(res.text, body, 'JSON body, not the catalog\'s error page')
  t.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"')
})

t.test('body size limit: 4 MiB (an upload call) passes, one byte more is a JSON 413 from nginx', async (t) => {
  const upstream = await startUpstream(t, 'size')
  const nginx = await startNginx(t, { upstreams: [upstream] })
  const limit = DEFAULT_BODY_LIMIT_BYTES

  const ok = await post(`${nginx.url}/mcp`, {}, Buffer.alloc(limit, 0x20))
  t.equal(ok.status, 200)
  t.equal(upstream.seen.at(-1)?.bodyBytes, limit, 'the whole body reached the upstream')

  const before = upstream.seen.length
  const tooLarge = await post(`${nginx.url}/mcp`, {}, Buffer.alloc(limit + 1, 0x20))
  t.equal(tooLarge.status, 413)
  t.equal(tooLarge.headers.get('content-type'), 'application/json')
  t.match(JSON.parse(tooLarge.text), { jsonrpc: '2.0', error: { code: -32001, data: { reason: 'body_too_large' } }, id: null })
  t.equal(upstream.seen.length, before, 'the upstream never saw it')
})

t.test('a replica that refuses connections is skipped; none left is a JSON 502', async (t) => {
  const alive = await startUpstream(t, 'alive')
  const dead: NginxUpstream = { host: '127.0.0.1', port: await freePort() }
  const nginx = await startNginx(t, { upstreams: [dead, alive] })
  for (let i = 0; i < 3; i++) t.equal((await post(`${nginx.url}/mcp`)).status, 200, `POST ${i + 1} served`)
  t.equal(alive.seen.length, 3)

  const none = await startNginx(t, { upstreams: [dead] })
  const res = await post(`${none.url}/mcp`)
  t.equal(res.status, 502)
  t.equal(res.headers.get('content-type'), 'application/json')
  t.match(JSON.parse(res.text), { error: { code: -32001, data: { reason: 'gateway_unreachable' } } })
})

t.test('only the MCP endpoint and the protected-resource metadata are published', async (t) => {
  const upstream = await startUpstream(t, 'paths')
  const nginx = await startNginx(t, { upstreams: [upstream] })
  for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    const res = await fetch(`${nginx.url}${path}`)
    t.equal(res.status, 200)
    t.match(await res.json(), { upstream: 'paths', url: path }, `${path} proxied`)
  }
  for (const path of ['/healthz', '/readyz', '/metrics', '/mcpx', '/mcp/']) {
    const res = await fetch(`${nginx.url}${path}`)
    t.equal(await res.text(), 'catalog\n', `${path} stays with the catalog`)
  }
  t.same(upstream.seen.map((s) => s.url), ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp'])
})

/** A POST with a Host header of our choosing (fetch always sends the URL's). */
function postWithHost (url: string, host: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number, contentType: string | undefined, text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { host, 'content-type': 'application/json', 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

t.test('the registry host\'s location (/mcp/platform/mcp): path, Host and bearer kept, nginx errors in JSON', async (t) => {
  const upstream = await startUpstream(t, 'registry')
  const nginx = await startNginx(t, { upstreams: [upstream] })
  const authorization = `Bearer ${randomBytes(1500).toString('base64url')}`
  const ok = await postWithHost(`${nginx.url}/mcp/platform/mcp`, 'Registry.Example.com:8443', { authorization }, Buffer.from(rpc))
  t.equal(ok.status, 200)
  t.match(upstream.seen.at(-1), {
    url: '/mcp/platform/mcp',
    headers: { host: 'registry.example.com', authorization, 'x-forwarded-host': 'Registry.Example.com:8443', 'x-forwarded-proto': 'http' }
  }, 'the gateway sees the path, the registry host (chooses the stack) and the session token unchanged')

  const body = '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Bad signature.","data":{"reason":"invalid_signature"}},"id":null}'
  upstream.handler = (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' })
    res.end(body)
  }
  const refused = await post(`${nginx.url}/mcp/platform/mcp`)
  t.equal(refused.status, 401)
  t.equal(refused.text, body, 'the gateway\'s 401 passes, not the server\'s error page')
  upstream.handler = undefined

  const before = upstream.seen.length
  const tooLarge = await post(`${nginx.url}/mcp/platform/mcp`, {}, Buffer.alloc(DEFAULT_BODY_LIMIT_BYTES + 1, 0x20))
  t.equal(tooLarge.status, 413)
  t.match(JSON.parse(tooLarge.text), { error: { data: { reason: 'body_too_large' } } })
  t.equal(upstream.seen.length, before)

  const metadata = await fetch(`${nginx.url}/.well-known/oauth-protected-resource/mcp/platform/mcp`)
  t.match(await metadata.json(), { url: '/.well-known/oauth-protected-resource/mcp/platform/mcp' }, 'its metadata is published')
  for (const path of ['/mcp/platform', '/mcp/platform/mcp/', '/mcp/platform/mcpx']) {
    t.equal(await (await fetch(`${nginx.url}${path}`)).text(), 'catalog\n', `${path} is not published`)
  }

  const dead = await startNginx(t, { upstreams: [{ host: '127.0.0.1', port: await freePort() }] })
  const unreachable = await post(`${dead.url}/mcp/platform/mcp`)
  t.equal(unreachable.status, 502)
  t.match(JSON.parse(unreachable.text), { error: { data: { reason: 'gateway_unreachable' } } })
})
