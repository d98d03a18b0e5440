import t from 'tap'
import { startGateway } from '../helpers/app.js'
import { connectClient, rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

const auth = (token = signToken()) => ({ authorization: `Bearer ${token}` })
const catalogUrlCall = (id: number | string, bucket: string) => ({
  jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'catalog_url', arguments: { bucket } }
})

t.test('the official SDK client initializes, lists and calls tools over HTTP', async (t) => {
  const { url } = await startGateway(t)
  const client = await connectClient(t, url, signToken())
  t.equal(client.getServerVersion()?.name, 'quilt-mcp-gateway')
  const { tools } = await client.listTools()
  const names = tools.map((tool) => tool.name)
  t.ok(names.includes('auth_status') && names.includes('catalog_url'))
  t.ok(tools.every((tool) => tool.annotations?.readOnlyHint !== undefined), 'every tool is annotated')
  const result = await client.callTool({ name: 'catalog_url', arguments: { bucket: 's3://quilt-example', package_name: 'examples/penguins', path: 'data/a b.csv' } })
  t.same(result.structuredContent, { url: 'https://catalog.example.com/b/quilt-example/packages/examples/penguins/tree/latest/data/a%20b.csv' })
  const { resources } = await client.listResources()
  t.ok(resources.some((resource) => resource.uri === 'quilt://auth/status'))
})

t.test('a plain fetch with only Content-Type and Authorization gets JSON', async (t) => {
  const { url } = await startGateway(t)
  const res = await rpc(url, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, auth())
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^application\/json/)
  const body = await res.json() as { id: number, result: { tools: unknown[] } }
  t.equal(body.id, 7)
  t.ok(body.result.tools.length >= 2)
  for (const accept of ['*/*', 'application/json', 'application/json, text/event-stream']) {
    const res = await rpc(url, { jsonrpc: '2.0', id: 8, method: 'tools/list' }, { ...auth(), accept })
    t.equal(res.status, 200, `Accept: ${accept}`)
    t.match(res.headers.get('content-type'), /^application\/json/, `Accept: ${accept} answered as JSON`)
  }
})

t.test('a client that accepts only an event stream gets each answer as one SSE event, batches too', async (t) => {
  const { url } = await startGateway(t)
  const sse = { ...auth(), accept: 'text/event-stream' }
  const single = await rpc(url, { jsonrpc: '2.0', id: 'list', method: 'tools/list' }, sse)
  t.match(single.headers.get('content-type'), /^text\/event-stream/)
  const text = await single.text()
  const event = /^event: message\ndata: (.+)\n\n$/.exec(text)
  t.ok(event, 'one event, one data line')
  const answer = JSON.parse(event?.[1] ?? 'null') as { id: string, result: { tools: Array<{ name: string }> } }
  t.equal(answer.id, 'list')
  t.ok(answer.result.tools.some((tool) => tool.name === 'catalog_url'))
  const batch = await rpc(url, [catalogUrlCall(1, 'quilt-example'), { jsonrpc: '2.0', id: 2, method: 'tools/list' }], sse)
  const answers = JSON.parse(/^event: message\ndata: (.+)\n\n$/.exec(await batch.text())?.[1] ?? 'null') as Array<{ id: number }>
  t.same(answers.map((a) => a.id), [1, 2], 'the batch answer is one JSON array in one event')
})

t.test('notifications are authenticated like everything else', async (t) => {
  const { url } = await startGateway(t)
  const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' }
  const anonymous = await rpc(url, initialized)
  t.equal(anonymous.status, 401)
  t.match(await anonymous.json(), { error: { data: { reason: 'missing_token' } } })
  const forged = await rpc(url, initialized, auth(signToken({}, { secret: 'another-secret-0123456789-0123456789-xyz' })))
  t.equal(forged.status, 401)
  const accepted = await rpc(url, initialized, auth())
  t.equal(accepted.status, 202)
  t.equal(await accepted.text(), '')
})

t.test('GET and DELETE on the MCP path are 405 with Allow: POST', async (t) => {
  const { url } = await startGateway(t)
  for (const method of ['GET', 'DELETE']) {
    const res = await fetch(`${url}/mcp`, { method, headers: auth() })
    t.equal(res.status, 405, method)
    t.equal(res.headers.get('allow'), 'POST')
    t.match(await res.json(), { error: { data: { reason: 'method_not_allowed' } } })
  }
})

t.test('bad bodies get JSON errors and the gateway keeps serving', async (t) => {
  const { url } = await startGateway(t)
  const truncated = await rpc(url, '{"jsonrpc":"2.0","id":1,"meth', auth())
  t.equal(truncated.status, 400)
  t.match(await truncated.json(), { error: { code: -32700, data: { reason: 'invalid_json' } } })
  const notJson = await fetch(`${url}/mcp`, { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: 'hello' })
  t.equal(notJson.status, 415)
  t.match(await notJson.json(), { error: { data: { reason: 'unsupported_media_type' } } })
  const notRpc = await rpc(url, { hello: 'world' }, auth())
  t.equal(notRpc.status, 400)
  t.match(await notRpc.json(), { jsonrpc: '2.0', error: { code: Number } })
  const unknownTool = await rpc(url, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'nope', arguments: {} } }, auth())
  t.match(await unknownTool.json(), { id: 3 })
  const badArgs = await rpc(url, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'catalog_url', arguments: { bucket: '../etc' } } }, auth())
  t.match(await badArgs.json(), { id: 4, result: { isError: true, content: [{ text: /bucket/ }] } })
  const ok = await rpc(url, catalogUrlCall(5, 'quilt-example'), auth())
  t.equal(ok.status, 200, 'still serving')
})

t.test('every response carries its own request id, also with equal ids from different tenants at once', async (t) => {
  const { url } = await startGateway(t)
  const tenants = Array.from({ length: 5 }, (_, i) => ({
    bucket: `tenant-${i}-bucket`,
    token: signToken({ sub: `user-${i}`, catalog_url: `https://catalog-${i}.example.com`, catalog_token: `catalog-token-${i}` })
  }))
  const calls = Array.from({ length: 100 }, (_, n) => {
    const tenant = tenants[n % tenants.length]!
    const id = n % 3 === 0 ? 'same-id' : Math.floor(n / 5)
    return { tenant, id, promise: rpc(url, catalogUrlCall(id, tenant.bucket), auth(tenant.token)) }
  })
  let crossed = 0
  for (const call of calls) {
    const body = await (await call.promise).json() as { id: unknown, result: { structuredContent: { url: string } } }
    const i = tenants.indexOf(call.tenant)
    if (body.id !== call.id || body.result.structuredContent.url !== `https://catalog-${i}.example.com/b/tenant-${i}-bucket/tree/`) crossed++
  }
  t.equal(crossed, 0, '100 concurrent calls, no crossed or mislabelled response')
})

t.test('one log line per request, with caller, JSON-RPC method, tool, status and duration; no secrets', async (t) => {
  const { url, logs } = await startGateway(t)
  const token = signToken({ sub: 'alice', catalog_token: 'super-secret-catalog-token' })
  await rpc(url, catalogUrlCall(1, 'quilt-example'), auth(token))
  await rpc(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, auth(token.slice(0, -2) + 'xx'))
  const lines = logs.entries.filter((entry) => entry.msg === 'request completed')
  t.equal(lines.length, 2)
  t.match(lines[0], { sub: 'alice', rpcMethod: 'tools/call', tool: 'catalog_url', statusCode: 200, durationMs: Number, method: 'POST', url: '/mcp' })
  t.match(lines[1], { statusCode: 401, reason: 'invalid_signature' })
  t.notOk(logs.text.includes(token), 'the JWT is never logged')
  t.notOk(logs.text.includes(token.slice(0, -2)), 'not even the forged one')
  t.notOk(logs.text.includes('super-secret-catalog-token'), 'the catalog token is never logged')
})

t.test('health and readiness need no token', async (t) => {
  const { url } = await startGateway(t)
  t.equal((await fetch(`${url}/healthz`)).status, 200)
  const ready = await fetch(`${url}/readyz`)
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ready' })
  const missing = await fetch(`${url}/nope`)
  t.equal(missing.status, 404)
  t.match(await missing.json(), { error: { data: { reason: 'not_found' } } })
})
