import t from 'tap'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { startGatewayProcess } from '../helpers/gateway-process.js'
import { connectClient, rpc } from '../helpers/mcp-client.js'
import { startNginx } from '../helpers/nginx.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

// Two replicas of the real gateway behind nginx configured with the project's own deploy/ files.
const registry = await startFakeRegistry(t)
const replicas = await Promise.all([1, 2].map(() => startGatewayProcess(t, { MCP_JWT_SECRET: TEST_SECRET, MCP_TRUST_PROXY: 'true' })))
const nginx = await startNginx(t, { upstreams: replicas.map(({ port }) => ({ host: '127.0.0.1', port })) })
const token = signToken({ registry_url: registry.url, catalog_token: ACME_TOKEN })
const served = (replica: typeof replicas[number]) => replica.logs.filter((entry) => entry.msg === 'request completed' && entry.url === '/mcp').length

t.test('one MCP client session is served by both replicas, round-robin, and every call succeeds', async (t) => {
  const before = replicas.map(served)
  const client = await connectClient(t, nginx.url, token)
  const { tools } = await client.listTools()
  t.ok(tools.length >= 12)
  const result = await client.callTool({ name: 'packages_list', arguments: { bucket: 'quilt-example' } })
  t.notOk(result.isError)
  t.match(JSON.stringify(result.structuredContent), /examples\/wellplates/)
  const after = replicas.map(served)
  t.ok(after.every((count, i) => count > before[i]!), `both replicas served the session (${before.join('/')} -> ${after.join('/')})`)
})

t.test('the HTTP contract holds through nginx', async (t) => {
  const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
  const missing = await rpc(nginx.url, list)
  t.equal(missing.status, 401)
  t.match(missing.headers.get('www-authenticate'), /^Bearer error="invalid_token"/)
  t.match(await missing.json(), { error: { data: { reason: 'missing_token' } } })
  const forged = await rpc(nginx.url, list, { authorization: `Bearer ${signToken({}, { secret: 'another-secret-0123456789-0123456789-xyz' })}` })
  t.match(await forged.json(), { error: { data: { reason: 'invalid_signature' } } })
  const noClaims = await rpc(nginx.url, list, { authorization: `Bearer ${signToken({ catalog_token: undefined })}` })
  t.equal(noClaims.status, 403)
  const notification = await rpc(nginx.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { authorization: `Bearer ${token}` })
  t.equal(notification.status, 202)
  const get = await fetch(`${nginx.url}/mcp`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(get.status, 405)
  t.equal(get.headers.get('allow'), 'POST')
})

t.test('a 2.5 KB token passes nginx intact', async (t) => {
  const big = signToken({ registry_url: registry.url, catalog_token: ACME_TOKEN, roles: Array.from({ length: 110 }, (_, i) => `role-number-${i}`) })
  t.ok(big.length > 2500, `token is ${big.length} bytes`)
  const res = await rpc(nginx.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }, { authorization: `Bearer ${big}` })
  t.equal(res.status, 200)
  t.match(await res.json(), { result: { structuredContent: { authenticated: true } } })
})

t.test('JSON and event-stream answers both come through', async (t) => {
  const call = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'bucket_list', arguments: {} } }
  const json = await rpc(nginx.url, call, { authorization: `Bearer ${token}`, accept: 'application/json' })
  t.match(json.headers.get('content-type'), /^application\/json/)
  t.match(await json.json(), { id: 9, result: { content: Array } })
  const sse = await rpc(nginx.url, call, { authorization: `Bearer ${token}`, accept: 'text/event-stream' })
  t.match(sse.headers.get('content-type'), /^text\/event-stream/)
  const event = /^event: message\ndata: (.*)\n\n$/.exec(await sse.text())
  t.ok(event, 'one SSE message event')
  t.match(JSON.parse(event?.[1] ?? '{}'), { jsonrpc: '2.0', id: 9, result: { structuredContent: { total: 3 } } })
})

t.test('protected-resource metadata names the URL clients use (via X-Forwarded-*)', async (t) => {
  const res = await fetch(`${nginx.url}/.well-known/oauth-protected-resource/mcp`)
  t.equal(res.status, 200)
  t.match(await res.json(), { resource: `${nginx.url}/mcp` })
})
