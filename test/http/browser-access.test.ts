import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { signToken } from '../helpers/tokens.js'

const catalog = 'https://catalog.example.com'
const toolsList = { jsonrpc: '2.0', id: 1, method: 'tools/list' }

t.test('preflight allows the headers MCP browser clients send, tracing included', async (t) => {
  const { app } = await buildTestApp(t, { corsOrigins: [catalog] })
  const requested = 'authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id, traceparent, tracestate, baggage, b3, x-b3-traceid, x-b3-spanid, x-b3-parentspanid, x-b3-sampled, x-b3-flags'
  const res = await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { origin: catalog, 'access-control-request-method': 'POST', 'access-control-request-headers': requested } })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], catalog)
  const allowed = String(res.headers['access-control-allow-headers']).split(',').map((h) => h.trim())
  for (const header of requested.split(', ')) t.ok(allowed.includes(header), `allows ${header}`)
  t.match(res.headers['access-control-allow-methods'], /POST/)
})

t.test('an allowed origin can call; its responses expose WWW-Authenticate', async (t) => {
  const { app } = await buildTestApp(t, { corsOrigins: [catalog] })
  const ok = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: catalog, authorization: `Bearer ${signToken()}` }, payload: toolsList })
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers['access-control-allow-origin'], catalog)
  const unauthenticated = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: catalog }, payload: toolsList })
  t.equal(unauthenticated.statusCode, 401)
  t.match(unauthenticated.headers['access-control-expose-headers'], /www-authenticate/)
})

t.test('an origin not in the list gets 403 on POST, even with a valid token (DNS rebinding)', async (t) => {
  const { app } = await buildTestApp(t, { corsOrigins: [catalog] })
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: 'https://evil.example.net', authorization: `Bearer ${signToken()}` }, payload: toolsList })
  t.equal(res.statusCode, 403)
  t.match(res.json(), { error: { data: { reason: 'origin_not_allowed' } } })
  t.equal(res.headers['access-control-allow-origin'], undefined)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' } })
  t.equal(preflight.headers['access-control-allow-origin'], undefined, 'preflight grants nothing')
  t.equal(preflight.statusCode, 403, 'and says so')
  t.match(preflight.json(), { error: { data: { reason: 'origin_not_allowed' } } })
})

t.test('loopback origins (local tools such as the MCP Inspector) and origin-less clients are allowed', async (t) => {
  const { app } = await buildTestApp(t)
  for (const headers of [{ origin: 'http://localhost:6274' }, { origin: 'http://127.0.0.1:5173' }, {}]) {
    const res = await app.inject({ method: 'POST', url: '/mcp', headers: { ...headers, authorization: `Bearer ${signToken()}` }, payload: toolsList })
    t.equal(res.statusCode, 200, JSON.stringify(headers))
  }
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: catalog, authorization: `Bearer ${signToken()}` }, payload: toolsList })
  t.equal(res.statusCode, 403, 'no origins configured: remote origins refused')
})
