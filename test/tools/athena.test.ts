import { setTimeout as delay } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { runTool } from '../../src/tools/result.js'
import { tools } from '../../src/tools/index.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import type { Era } from '../helpers/eras.js'
import { dataOf, forEachEra, textOf, toolHarness } from './harness.js'

async function setup (t: Test, athenaTimeoutMs = 10_000, era?: Era) {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const { athena } = await startSampleAws(t, tenants, [credentials])
  const h = await toolHarness(t, { tenants, credentials, athenaEndpoint: athena.url, athenaTimeoutMs, ...(era === undefined ? {} : { era }) })
  return { h, athena, credentials }
}

t.test('athena_query runs a read-only query with the user\'s role and caps the rows', async (t) => {
  const { h, athena } = await setup(t)
  const result = await h.call('athena_query', { sql: '-- summary\nSELECT * FROM "quilt-example"."wellplates_summary";', database: 'quilt_db', workgroup: 'QuiltUsers', max_rows: 5 })
  t.notOk(result.isError, textOf(result))
  const data = dataOf<{ columns: Array<{ name: string }>, rows: string[][], truncated: boolean }>(result)
  t.same(data.columns.map((c) => c.name), ['plate', 'well', 'cell_count', 'mean_intensity'])
  t.equal(data.rows.length, 5)
  t.equal(data.truncated, true)
  t.notSame(data.rows[0], ['plate', 'well', 'cell_count', 'mean_intensity'], 'the header row is not a data row')
  const start = athena.calls.find((c) => c.operation === 'StartQueryExecution')
  t.equal(start?.body.WorkGroup, 'QuiltUsers')
  t.same(start?.body.QueryExecutionContext, { Database: 'quilt_db' })
  t.equal(start?.body.QueryString, 'SELECT * FROM "quilt-example"."wellplates_summary"', 'comment and semicolon stripped')

  const show = await h.call('athena_query', { sql: 'SHOW TABLES' })
  t.same(dataOf(show).rows, [['wellplates_summary']], 'utility statements have no header row')
  const failed = await h.call('athena_query', { sql: 'SELECT * FROM nowhere' })
  t.ok(failed.isError)
  t.match(textOf(failed), /Athena failed the query: TABLE_NOT_FOUND/)
})

t.test('writes, DDL and several statements are refused before Athena is called', async (t) => {
  const { h, athena } = await setup(t)
  for (const sql of ['DROP TABLE x', 'INSERT INTO t VALUES (1)', 'SELECT 1; DROP TABLE x', 'WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a', 'EXPLAIN ANALYZE DELETE FROM t', '/* unterminated', '  -- only a comment',
    // Issue 16: writes that slipped past the check.
    'EXPLAIN ANALYZE ANALYZE t', 'EXPLAIN ANALYZE REFRESH MATERIALIZED VIEW mv', "SELECT * FROM TABLE(system.query(query => 'DELETE FROM customers'))",
    'ınsert INTO t VALUES (1)', 'inſert INTO t VALUES (1)', "SHOW TABLES LIKE 'a\\'' ; DROP TABLE t --'"]) {
    const result = await h.call('athena_query', { sql })
    t.ok(result.isError, sql)
  }
  t.equal(athena.calls.length, 0)
  const quoted = await h.call('athena_query', { sql: "SELECT 'drop table; delete' AS note FROM wellplates_summary LIMIT 1" })
  t.notOk(quoted.isError, 'keywords inside strings are text')
  const regex = await h.call('athena_query', { sql: "SELECT * FROM wellplates_summary WHERE regexp_like(well, '\\d+') LIMIT 1" })
  t.notOk(regex.isError, 'a backslash in a regular expression is fine')
  const description = tools.find((tool) => tool.name === 'athena_query')!.description
  t.match(description, /the real guard is your IAM role and the Athena workgroup/, 'the tool text says what really guards the data')
})

t.test('a slow query is stopped at the deadline, and when the client goes away', async (t) => {
  const { h, athena } = await setup(t, 500)
  athena.queryDelayMs = 60_000
  const started = Date.now()
  const slow = await h.call('athena_query', { sql: 'SELECT * FROM wellplates_summary' })
  t.ok(slow.isError)
  t.match(textOf(slow), /did not finish within 1 s and was stopped/)
  t.ok(Date.now() - started < 5000)
  t.equal(athena.calls.filter((c) => c.operation === 'StopQueryExecution').length, 1, 'StopQueryExecution arrived')
  t.equal([...athena.executions.values()][0]?.state, 'CANCELLED')

  const { h: h2, athena: athena2 } = await setup(t)
  athena2.queryDelayMs = 60_000
  const controller = new AbortController()
  const ctx = h2.context(undefined, controller.signal)
  const tool = tools.find((candidate) => candidate.name === 'athena_query')!
  const running = runTool('athena_query', ctx, () => tool.run(tool.inputSchema.parse({ sql: 'SELECT * FROM wellplates_summary' }), ctx))
  while (!athena2.calls.some((c) => c.operation === 'GetQueryExecution')) await delay(10)
  controller.abort()
  const result = await running
  t.ok(result.isError)
  t.match(textOf(result), /cancelled because the client went away/)
  t.equal(athena2.calls.filter((c) => c.operation === 'StopQueryExecution').length, 1, 'StopQueryExecution arrived after the client left')
})

t.test('expired credentials: one refetch, then a clear error; denied roles are told so', async (t) => {
  const { h, credentials } = await setup(t)
  t.notOk((await h.call('athena_query', { sql: 'SHOW TABLES' })).isError)
  credentials.expireAll()
  t.notOk((await h.call('athena_query', { sql: 'SHOW TABLES' })).isError, 'refetched once')
  t.equal(credentials.calls.length, 2)
  credentials.expireAll()
  credentials.issueStale = true
  const expired = await h.call('athena_query', { sql: 'SHOW TABLES' })
  t.match(textOf(expired), /expired, also after fetching fresh ones/)
  t.equal(credentials.calls.length, 3)
  credentials.refuse = 403
  credentials.expireAll()
  const denied = await h.call('athena_query', { sql: 'SHOW TABLES' })
  t.match(textOf(denied), /no data access/)
})

forEachEra((t, era) => {
  t.test('tabulator_tables_list lists a bucket\'s tables with their configs', async (t) => {
    const { h } = await setup(t, undefined, era)
    const tables = await h.call('tabulator_tables_list', { bucket: 's3://quilt-example' })
    t.notOk(tables.isError, textOf(tables))
    const data = dataOf<{ tables: Array<{ name: string, config: string }> }>(tables)
    t.equal(data.tables[0]?.name, 'wellplates_summary')
    t.match(data.tables[0]?.config, /logical_key: data\/summary/)
    t.match(textOf(await h.call('tabulator_tables_list', { bucket: 'cellpainting-data' })), /no tabulator tables/)
    t.match(textOf(await h.call('tabulator_tables_list', { bucket: 'globex-public' })), /not found in this catalog/)
  })
})

t.test('the quilt-platform://athena reference', async (t) => {
  const { h } = await setup(t)
  const reference = await h.read('quilt-platform://athena')
  t.match(textOf(reference), /tabulator/i)
  t.match(textOf(reference), /read-only/)
})
