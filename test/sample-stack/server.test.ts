import t from 'tap'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'
import { ACME_TOKEN, closedPortUrl, postGraphql, startFakeRegistry } from '../helpers/fake-registry.js'

const ME = { query: 'query GatewayMe { me { name email } }', operationName: 'GatewayMe' }

t.test('a named query with a known token answers data and is recorded', async (t) => {
  const registry = await startFakeRegistry(t)
  t.match(registry.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const query = 'query BucketNames($n: String!) { bucketConfig(name: $n) { name } }'
  const res = await postGraphql(registry.url, ACME_TOKEN, { query, operationName: 'BucketNames', variables: { n: 'quilt-example' } })
  t.equal(res.status, 200)
  t.same(res.body, { data: { bucketConfig: { name: 'quilt-example' } } })
  t.same(registry.requests, [{
    operationName: 'BucketNames', query, variables: { n: 'quilt-example' }, authorization: `Bearer ${ACME_TOKEN}`, token: ACME_TOKEN, traceparent: null
  }])
})

t.test('missing, unknown or non-Bearer credentials get 401 JSON, like a registry rejecting them', async (t) => {
  const registry = await startFakeRegistry(t)
  for (const token of [null, 'not-a-tenant', '__proto__']) {
    const res = await postGraphql(registry.url, token, ME)
    t.equal(res.status, 401, `token ${String(token)}`)
    t.match(res.body, { message: String })
  }
  const basic = await fetch(`${registry.url}/graphql`, { method: 'POST', headers: { authorization: `Basic ${ACME_TOKEN}` }, body: JSON.stringify(ME) })
  t.equal(basic.status, 401)
  await basic.text()
  t.equal(registry.requests.length, 4, 'rejected requests are recorded too')
})

t.test('documents that are not valid against the schema fail loudly with 400', async (t) => {
  const registry = await startFakeRegistry(t)
  const cases = {
    'unknown field': { query: 'query Bad { me { name shoeSize } }', operationName: 'Bad' },
    'syntax error': { query: 'query Bad { me { name ', operationName: 'Bad' },
    'missing required argument': { query: 'query Bad { package(bucket: "quilt-example") { name } }', operationName: 'Bad' },
    'argument of an older era (firstPage order)': { query: 'query Bad { searchPackages(searchString: "x") { ... on PackagesSearchResultSet { firstPage(order: NEWEST) { __typename } } } }', operationName: 'Bad' },
    'anonymous operation': { query: 'query { me { name } }' },
    'shorthand query': { query: '{ me { name } }' },
    'variables of the wrong type': { query: 'query Bad($b: String!) { packages(bucket: $b) { total } }', operationName: 'Bad', variables: { b: 42 } },
    'unknown operation name': { query: 'query Good { me { name } }', operationName: 'Other' }
  }
  for (const [label, body] of Object.entries(cases)) {
    const res = await postGraphql(registry.url, ACME_TOKEN, body)
    t.equal(res.status, 400, label)
    t.match(res.body, { errors: [{ message: String }] }, label)
  }
  const notJson = await postGraphql(registry.url, ACME_TOKEN, '{"query": ')
  t.equal(notJson.status, 400, 'body that is not JSON')
  const wrongShape = await postGraphql(registry.url, ACME_TOKEN, { query: 42 })
  t.equal(wrongShape.status, 400, 'body of the wrong shape')
})

t.test('only POST /graphql is served', async (t) => {
  const registry = await startFakeRegistry(t)
  const get = await fetch(`${registry.url}/graphql`)
  t.equal(get.status, 405)
  t.equal(get.headers.get('allow'), 'POST')
  await get.text()
  const other = await fetch(`${registry.url}/other`, { method: 'POST', body: '{}' })
  t.equal(other.status, 404)
  await other.text()
})

t.test('intercept: raw status, body and headers', async (t) => {
  let action: { status: number, body?: string, headers?: Record<string, string> } = { status: 500, body: '{"message":"Internal Server Error"}' }
  const registry = await startFakeRegistry(t, { intercept: () => action })
  const res = await postGraphql(registry.url, ACME_TOKEN, ME)
  t.same(res, { status: 500, body: { message: 'Internal Server Error' } })

  action = { status: 200, body: '{"data": {"me": ' }
  t.same(await postGraphql(registry.url, ACME_TOKEN, ME), { status: 200, body: '{"data": {"me": ' }, 'malformed JSON is sent as is')

  action = { status: 403, body: '<html>Forbidden</html>', headers: { 'content-type': 'text/html', 'x-test': 'yes' } }
  const forbidden = await fetch(`${registry.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${ACME_TOKEN}` }, body: JSON.stringify(ME) })
  t.equal(forbidden.status, 403)
  t.equal(forbidden.headers.get('content-type'), 'text/html')
  t.equal(forbidden.headers.get('x-test'), 'yes')
  t.equal(await forbidden.text(), '<html>Forbidden</html>')

  action = { status: 502 }
  t.same(await postGraphql(registry.url, ACME_TOKEN, ME), { status: 502, body: '' }, 'empty body by default')
  t.equal(registry.requests.length, 4)
})

t.test('intercept runs before authentication and sees the recorded request', async (t) => {
  const seen: Array<string | null> = []
  const registry = await startFakeRegistry(t, {
    intercept: (request) => {
      seen.push(request.operationName)
      return request.token === null ? { status: 503 } : undefined
    }
  })
  t.equal((await postGraphql(registry.url, null, ME)).status, 503)
  t.equal((await postGraphql(registry.url, ACME_TOKEN, ME)).status, 200, 'undefined = answer normally')
  t.same(seen, ['GatewayMe', 'GatewayMe'])
})

t.test('intercept: delayMs, then the normal answer', async (t) => {
  const registry = await startFakeRegistry(t, { intercept: async () => ({ delayMs: 150 }) })
  const started = Date.now()
  const res = await postGraphql(registry.url, ACME_TOKEN, ME)
  t.ok(Date.now() - started >= 140, 'answer came after the delay')
  t.same(res, { status: 200, body: { data: { me: { name: 'alice', email: 'alice@acme.example' } } } })
})

t.test('intercept: graphqlErrors inside an HTTP 200', async (t) => {
  const registry = await startFakeRegistry(t, { intercept: () => ({ graphqlErrors: [{ message: 'Internal Server Error' }] }) })
  t.same(await postGraphql(registry.url, ACME_TOKEN, ME), { status: 200, body: { data: null, errors: [{ message: 'Internal Server Error' }] } })
})

t.test('intercept: destroy the socket', async (t) => {
  let calls = 0
  const registry = await startFakeRegistry(t, { intercept: () => (++calls === 1 ? { destroy: true } : undefined) })
  await t.rejects(postGraphql(registry.url, ACME_TOKEN, ME), 'the client sees a network failure')
  t.equal((await postGraphql(registry.url, ACME_TOKEN, ME)).status, 200, 'the next request is served')
})

t.test('close() ends idle keep-alive connections and pending delays promptly', async (t) => {
  const registry = await startSampleRegistry({ intercept: (request) => (request.operationName === 'Slow' ? { delayMs: 60_000 } : undefined) })
  t.equal((await postGraphql(registry.url, ACME_TOKEN, ME)).status, 200, 'leaves an idle keep-alive connection')
  const slow = postGraphql(registry.url, ACME_TOKEN, { query: 'query Slow { me { name } }', operationName: 'Slow' })
  while (registry.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
  const started = Date.now()
  await registry.close()
  t.ok(Date.now() - started < 1000, 'close did not wait for keep-alive or the delay')
  await t.rejects(slow, 'the pending request was cut off')
  await registry.close()
  t.pass('close() twice is harmless')
  await t.rejects(fetch(`${registry.url}/graphql`, { method: 'POST', body: '{}' }), 'nothing listens any more')
})

t.test('closedPortUrl points at a port where nothing listens', async (t) => {
  const url = await closedPortUrl()
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  await t.rejects(fetch(url), { cause: { code: 'ECONNREFUSED' } })
})

t.test('without tenants, the registry serves the demo data', async (t) => {
  const registry = await startSampleRegistry()
  t.teardown(() => registry.close())
  t.same(Object.keys(registry.tenants).sort(), ['demo-catalog-token', 'second-tenant-token'])
  t.equal((await postGraphql(registry.url, 'second-tenant-token', ME)).status, 200)
})
