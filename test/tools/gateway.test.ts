import t from 'tap'
import { topHash, type TenantData } from '../../packages/sample-stack/src/data.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { ERAS } from '../helpers/eras.js'
import { connectClient, rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

const wellplates = { bucket: 'quilt-example', package_name: 'examples/wellplates' }

for (const era of ERAS) {
  t.test(`every tool works through the official SDK client over HTTP, registry schema ${era}`, async (t) => {
    const registry = await startFakeRegistry(t, { era })
    const { url } = await startGateway(t)
    const client = await connectClient(t, url, signToken({ registry_url: registry.url }))

    const { tools } = await client.listTools()
    t.equal(tools.length, 33)
    const annotations = Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations]))
    t.match(annotations.package_delete, { readOnlyHint: false, destructiveHint: true })
    t.match(annotations.package_diff, { readOnlyHint: true })

    const { resources } = await client.listResources()
    t.same(resources.map((r) => r.uri), ['quilt://auth/status', 'quilt-platform://me', 'quilt://buckets', 'quilt-platform://buckets', 'quilt-platform://search_syntax', 'quilt-platform://athena'])
    const textOf = async (uri: string) => {
      const content = (await client.readResource({ uri })).contents[0]
      return content !== undefined && 'text' in content ? content.text : ''
    }
    for (const uri of ['quilt://buckets', 'quilt-platform://buckets']) {
      t.match(JSON.parse(await textOf(uri)), { total: 3, buckets: [{ name: 'quilt-example' }] }, uri)
    }
    t.match(JSON.parse(await textOf('quilt-platform://me')), { authenticated: true, user: { name: 'alice' } }, 'the catalog assistant\'s "me"')
    t.match(await textOf('quilt-platform://search_syntax'), /^# Search syntax.*\n[\s\S]*next_cursor[\s\S]*secure search: total unknown/)
    t.match(await textOf('quilt-platform://athena'), /^# Querying Quilt data with athena_query\n[\s\S]*tabulator/)
    for (const uri of ['quilt-platform://search_syntax', 'quilt-platform://athena']) {
      t.match(resources.find((r) => r.uri === uri), { mimeType: 'text/markdown' }, `${uri} is a text resource`)
    }

    const calls: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['auth_status', {}, { authenticated: true, user: { name: 'alice' } }],
      ['bucket_list', {}, { total: 3 }],
      ['packages_list', { bucket: 'quilt-example' }, { total: 3 }],
      ['package_info', wellplates, { revisions_total: 3 }],
      ['package_browse', { ...wellplates, path: 'data' }, { kind: 'dir', total_entries: 3 }],
      ['package_browse', { ...wellplates, path: 'README.md' }, { kind: 'file', size: 1456 }],
      ['package_diff', { ...wellplates, hash_a: 'latest', other_package_name: 'examples/hurdat' }, { summary: { added: 2, removed: 5, modified: 1 } }],
      ['search_packages', { query: 'test/integration_lifecycle_1770736485' }, { total: 1 }],
      ['search_objects', { query: 'instrument-log' }, { total: 1 }],
      ['package_create', { bucket: 'quilt-example', package_name: 'e2e/pkg', files: [{ logical_key: 'a.txt', s3_uri: 's3://quilt-example/a.txt', size: 3 }], message: 'e2e' }, { total_entries: 1 }],
      ['package_update', { bucket: 'quilt-example', package_name: 'e2e/pkg', files: [{ logical_key: 'b.txt', s3_uri: 's3://quilt-example/b.txt', size: 4 }], message: 'e2e update' }, { added: 1, kept: 1 }],
      ['package_delete', { bucket: 'quilt-example', package_name: 'e2e/pkg' }, { remaining: 0 }],
      ['catalog_url', wellplates, { url: /\/b\/quilt-example\/packages\/examples\/wellplates\// }]
    ]
    for (const [name, args, expected] of calls) {
      const result = await client.callTool({ name, arguments: args })
      t.notOk(result.isError, `${name}: ${JSON.stringify(result.content)}`)
      t.match(result.structuredContent, expected, name)
    }
    t.ok(registry.requests.every((r) => r.authorization === `Bearer ${ACME_TOKEN}`), 'only the catalog token reaches the registry')
  })
}

t.test('through the gateway, bad arguments never reach the registry and registry failures are tool errors', async (t) => {
  let status = 0
  const registry = await startFakeRegistry(t, { intercept: () => (status === 0 ? undefined : { status, body: '' }) })
  const { url } = await startGateway(t)
  const client = await connectClient(t, url, signToken({ registry_url: registry.url }))

  const bad = await client.callTool({ name: 'package_info', arguments: { bucket: 'quilt-example', package_name: 'no-namespace' } })
  t.equal(bad.isError, true)
  t.match(bad.content, [{ text: /Invalid arguments for tool package_info: package_name: must be "namespace\/name"/ }])
  t.equal(registry.requests.length, 0, 'validated before any registry call')

  for (const code of [401, 403]) {
    status = code
    const denied = await client.callTool({ name: 'packages_list', arguments: { bucket: 'quilt-example' } })
    t.equal(denied.isError, true)
    t.match(denied.content, [{ text: /catalog rejected the credentials in your token .*Sign in to the catalog again/ }])
  }
  status = 500
  await t.rejects(client.readResource({ uri: 'quilt://buckets' }), /answered BucketList with HTTP 500/, 'a failing resource read is a JSON-RPC error')
})

t.test('the gateway applies its configured registry timeouts to tool calls', async (t) => {
  const registry = await startFakeRegistry(t, { intercept: () => ({ delayMs: 2000 }) })
  const { url } = await startGateway(t, { graphqlTimeoutMs: 100, graphqlMutationTimeoutMs: 150 })
  const client = await connectClient(t, url, signToken({ registry_url: registry.url }))
  const query = await client.callTool({ name: 'bucket_list', arguments: {} })
  t.match(query, { isError: true, content: [{ text: /did not answer BucketList within 100 ms/ }] })
  const mutation = await client.callTool({ name: 'package_create', arguments: { bucket: 'quilt-example', package_name: 'a/b', files: [{ logical_key: 'x', s3_uri: 's3://quilt-example/x' }], message: 'm' } })
  t.match(mutation, { isError: true, content: [{ text: /did not answer PackageConstruct within 150 ms/ }] })
})

/** Three more tenants, each with one bucket and one package of its own. */
function extraTenant (i: number): TenantData {
  const bucket = `tenant${i}-data`
  const content = { message: `tenant ${i} data`, userMeta: { tenant: i }, entries: [{ logicalKey: 'data.csv', physicalKey: `s3://${bucket}/data.csv`, size: 100 + i }] }
  return {
    me: { name: `user${i}`, email: `user${i}@tenant${i}.example`, isAdmin: false, role: { name: `Role${i}` }, roles: [{ name: `Role${i}` }] },
    buckets: [{ name: bucket, title: `Tenant ${i}`, description: null, iconUrl: null, overviewUrl: null, tags: null, relevanceScore: 0, lastIndexed: null, browsable: true }],
    packages: [{ bucket, name: `tenant${i}/data`, revisions: [{ hash: topHash(content), modified: '2025-01-01T00:00:00.000Z', ...content }] }],
    objects: []
  }
}

const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort())

interface RpcAnswer { id: unknown, result?: { isError?: boolean, structuredContent?: Record<string, unknown> } }

t.test('tenant isolation: 50 concurrent calls from 5 tenants with overlapping JSON-RPC ids', async (t) => {
  const registry = await startFakeRegistry(t)
  for (const i of [3, 4, 5]) registry.tenants[`tenant-${i}-catalog-token`] = extraTenant(i)
  const { url } = await startGateway(t)

  const tenants = Object.entries(registry.tenants).map(([catalogToken, data], n) => {
    const pkg = data.packages[0]!
    return {
      catalogToken,
      data,
      pkg,
      jwt: signToken({ sub: `isolation-user-${n}`, registry_url: registry.url, catalog_token: catalogToken })
    }
  })
  t.equal(tenants.length, 5)
  t.same(tenants.slice(0, 2).map((x) => x.catalogToken), [ACME_TOKEN, GLOBEX_TOKEN])

  type Tenant = typeof tenants[number]
  // Each call names its tenant's own bucket/package and states what only that tenant may see.
  const kinds: Array<(x: Tenant) => { name: string, args: Record<string, unknown>, check: (data: Record<string, unknown>) => boolean }> = [
    // The role-scoped list (issue 9): an admin's bucket outside the active role is not listed.
    (x) => ({ name: 'bucket_list', args: {}, check: (d) => sameSet((d.buckets as Array<{ name: string }>).map((b) => b.name), x.data.buckets.filter((b) => b.activeRoleCanRead !== false).map((b) => b.name)) }),
    (x) => ({ name: 'packages_list', args: { bucket: x.pkg.bucket }, check: (d) => (d.packages as Array<{ name: string }>).some((p) => p.name === x.pkg.name) && d.total === x.data.packages.filter((p) => p.bucket === x.pkg.bucket).length }),
    (x) => ({ name: 'package_info', args: { bucket: x.pkg.bucket, package_name: x.pkg.name }, check: (d) => d.hash === x.pkg.revisions[0]!.hash }),
    (x) => ({ name: 'search_packages', args: { query: '*' }, check: (d) => d.total === x.data.packages.length && (d.hits as Array<{ bucket: string }>).every((h) => x.data.buckets.some((b) => b.name === h.bucket)) }),
    (x) => ({ name: 'auth_status', args: {}, check: (d) => (d.user as { name: string }).name === x.data.me.name })
  ]
  const calls = tenants.flatMap((tenant) => Array.from({ length: 10 }, (_, k) => {
    const call = kinds[k % kinds.length]!(tenant)
    // Ids 0..9 in every tenant (each id five times at once), some as strings: equal ids across tenants.
    const id = k % 2 === 0 ? k : `call-${k}`
    return { tenant, id, ...call }
  }))
  t.equal(calls.length, 50)

  const started = process.hrtime.bigint()
  const answers = await Promise.all(calls.map(async (call) => {
    const sent = process.hrtime.bigint()
    const res = await rpc(url, { jsonrpc: '2.0', id: call.id, method: 'tools/call', params: { name: call.name, arguments: call.args } }, { authorization: `Bearer ${call.tenant.jwt}` })
    const body = await res.json() as RpcAnswer
    return { call, status: res.status, body, ms: Number(process.hrtime.bigint() - sent) / 1e6 }
  }))
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6

  const wrong = answers.filter(({ call, status, body }) =>
    status !== 200 || body.id !== call.id || body.result?.isError === true || body.result?.structuredContent === undefined || !call.check(body.result.structuredContent))
  t.same(wrong.map((w) => `${w.call.tenant.catalogToken} ${w.call.name} ${JSON.stringify(w.body).slice(0, 200)}`), [], 'every answer carries its own id and only its tenant\'s data')

  // What reached the registry: each tenant's own catalog token, ten calls each, never the JWT; and the
  // registry's capabilities learnt once for all five tenants (one registry URL, one call in flight).
  t.equal(registry.requests.filter((r) => r.operationName === 'GatewayCapabilities').length, 1, 'capabilities learnt once')
  const calls50 = registry.requests.filter((r) => r.operationName !== 'GatewayCapabilities')
  t.equal(calls50.length, 50)
  const tokens = new Set(tenants.map((x) => x.catalogToken))
  t.ok(registry.requests.every((r) => r.token !== null && tokens.has(r.token) && r.authorization === `Bearer ${r.token}`), 'only catalog tokens, as bearer credentials')
  for (const tenant of tenants) {
    const seen = calls50.filter((r) => r.token === tenant.catalogToken)
    t.equal(seen.length, 10, `${tenant.catalogToken}: 10 registry calls`)
    const named = seen.filter((r) => r.variables?.bucket !== undefined)
    t.ok(named.length > 0 && named.every((r) => tenant.data.buckets.some((b) => b.name === r.variables?.bucket)), `${tenant.catalogToken}: every bucket it asked for is its own`)
  }
  t.notOk(registry.requests.some((r) => tenants.some((x) => r.authorization?.includes(x.jwt))), 'the gateway JWT is never forwarded')

  const sorted = answers.map((a) => a.ms).sort((a, b) => a - b)
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1)
  t.comment(`isolation: ${calls.length} calls, 5 tenants, ${registry.requests.length} registry requests, wall ${wallMs.toFixed(0)} ms, per call p50 ${pct(0.5)} ms p95 ${pct(0.95)} max ${sorted.at(-1)!.toFixed(1)} ms, crossed 0 of ${calls.length}`)
})
