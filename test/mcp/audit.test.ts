import t from 'tap'
import { namingArguments, sqlDigest, traceIdOf } from '../../src/mcp/audit.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { rpc } from '../helpers/mcp-client.js'
import { LogSink } from '../helpers/log-sink.js'
import { signToken } from '../helpers/tokens.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })

t.test('a tool call writes exactly one audit line: who, where, what, outcome, duration, ids; no token', async (t) => {
  const registry = await startFakeRegistry(t)
  const { url, logs } = await startGateway(t)
  const token = signToken({ registry_url: registry.url, sub: 'alice@example.com' })
  const res = await rpc(url, call(1, 'package_browse', { bucket: 's3://quilt-example', package_name: 'examples/wellplates', path: 'data' }), {
    authorization: `Bearer ${token}`, traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`
  })
  t.equal(res.status, 200)
  const audit = logs.entries.filter((entry) => entry.name === 'audit')
  t.equal(audit.length, 1, 'one line per tool call')
  const line = audit[0]!
  t.match(line, {
    level: 30,
    msg: 'tool call',
    user: 'alice@example.com',
    registryHost: new URL(registry.url).host,
    tool: 'package_browse',
    args: { bucket: 'quilt-example', package_name: 'examples/wellplates', path: 'data', hash: 'latest' },
    outcome: 'ok',
    traceId: TRACE_ID
  })
  t.type(line.time, 'number')
  t.type(line.durationMs, 'number')
  const completed = logs.entries.find((entry) => entry.msg === 'request completed')
  t.equal(line.reqId, completed?.reqId, 'the audit line carries the request id of the request log line')
  t.notOk(logs.text.includes(ACME_TOKEN), 'the catalog token is never logged')
  t.notOk(logs.text.includes(token), 'the gateway token is never logged')
})

t.test('a secret a caller puts in a naming argument is redacted in the audit line by value', async (t) => {
  const registry = await startFakeRegistry(t)
  const { url, logs } = await startGateway(t)
  const token = signToken({ registry_url: registry.url, sub: 'alice@example.com' })
  await rpc(url, call(1, 'package_browse', { bucket: 'quilt-example', package_name: 'examples/wellplates', path: ACME_TOKEN }), { authorization: `Bearer ${token}` })
  const audit = logs.entries.filter((entry) => entry.name === 'audit')
  t.equal(audit.length, 1)
  t.match(audit[0], { tool: 'package_browse', args: { path: '[redacted]' } })
  t.notOk(logs.text.includes(ACME_TOKEN), 'the catalog token is never logged')
})

t.test('failed, invalid and mutating calls are audited without contents, metadata or messages', async (t) => {
  const registry = await startFakeRegistry(t)
  const logs = new LogSink()
  const { url } = await startGateway(t, {}, { fastify: { logger: { level: 'warn', stream: logs } } })
  const auth = { authorization: `Bearer ${signToken({ registry_url: registry.url, sub: undefined })}` }
  await rpc(url, call(1, 'package_info', { bucket: 'quilt-example', package_name: 'no/such' }), auth)
  await rpc(url, call(2, 'packages_list', { bucket: 'Not A Bucket!' }), auth)
  await rpc(url, call(3, 'package_create', {
    bucket: 'quilt-example',
    package_name: 'e2e/audit',
    message: 'secret commit message',
    metadata: { owner: 'confidential-metadata-value' },
    files: [{ logical_key: 'a.txt', s3_uri: 's3://quilt-example/a.txt', size: 3 }]
  }), auth)
  const audit = logs.entries.filter((entry) => entry.name === 'audit')
  t.match(audit.map((line) => [line.tool, line.outcome]), [['package_info', 'error'], ['packages_list', 'invalid_arguments'], ['package_create', 'ok']],
    'audited at info even when LOG_LEVEL is warn')
  t.match(audit[0], { user: /^token#/, credential: 'claims' }, 'without a sub, a hash of the catalog token names the caller')
  t.same(audit[2]!.args, { bucket: 'quilt-example', package_name: 'e2e/audit', filesCount: 1 })
  t.notOk(logs.text.includes('secret commit message') || logs.text.includes('confidential-metadata-value'))
})

t.test('naming arguments: allow-listed, bounded, SQL as a digest', async (t) => {
  t.same(namingArguments({ sql: 'SELECT * FROM t WHERE ssn = 1', bucket: 'b', body: 'file contents', buckets: ['a', 1, 'c'] }),
    { bucket: 'b', buckets: ['a', 'c'], sqlDigest: sqlDigest('SELECT * FROM t WHERE ssn = 1') })
  t.equal((namingArguments({ query: 'x'.repeat(1000) }).query as string).length, 256)
  t.same(namingArguments('not an object'), {})
  t.equal(traceIdOf(`00-${TRACE_ID}-00f067aa0ba902b7-01`), TRACE_ID)
  t.equal(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), undefined, 'the all-zero trace id is invalid')
  t.equal(traceIdOf('garbage'), undefined)
})

t.test('a versionId with a stray "%" is an argument error naming s3_uri, with its audit line (issue 16)', async (t) => {
  const registry = await startFakeRegistry(t)
  const { url, logs } = await startGateway(t)
  const token = signToken({ registry_url: registry.url, sub: 'alice@example.com' })
  const res = await rpc(url, call(1, 'bucket_object_info', { s3_uri: 's3://quilt-example/a.txt?versionId=abc%zz' }), { authorization: `Bearer ${token}` })
  const body = await res.json() as { result?: { isError?: boolean, content: Array<{ text: string }> }, error?: unknown }
  t.equal(body.error, undefined, 'not a JSON-RPC error')
  t.equal(body.result?.isError, true)
  t.match(body.result?.content[0]?.text, /Invalid arguments for tool bucket_object_info: s3_uri: must be "s3:\/\/bucket\/key".*a "%" only as an escape/)
  const audit = logs.entries.filter((entry) => entry.name === 'audit')
  t.match(audit, [{ tool: 'bucket_object_info', outcome: 'invalid_arguments' }], 'one audit line')
})
