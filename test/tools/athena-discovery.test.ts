import t from 'tap'
import { TABULATOR_CATALOG } from '../../packages/sample-stack/src/sample-athena-catalog.js'
import { call, dataOf, sdkGateway, textOf } from './sdk-gateway.js'

t.test('from "which tables are there" to a query, without guessing a name', async (t) => {
  const g = await sdkGateway(t)
  const databases = await call(g.alice, 'athena_databases_list')
  t.notOk(databases.isError, textOf(databases))
  t.match(textOf(databases), new RegExp(`Other data catalogs: ${TABULATOR_CATALOG}`), 'the tabulator catalog is named')
  const catalog = dataOf<{ catalogs: Array<{ name: string, type: string }> }>(databases).catalogs.find((c) => c.type === 'LAMBDA')!.name

  const tabulatorDatabases = dataOf<{ databases: Array<{ name: string }> }>(await call(g.alice, 'athena_databases_list', { catalog })).databases
  t.same(tabulatorDatabases.map((d) => d.name), ['acme-archive', 'cellpainting-data', 'quilt-example'], 'one database per bucket alice can read')

  const tables = await call(g.alice, 'athena_tables_list', { catalog, database: 'quilt-example' })
  t.notOk(tables.isError, textOf(tables))
  const [table] = dataOf<{ tables: Array<{ name: string, columns: number }> }>(tables).tables
  t.equal(table?.name, 'wellplates_summary')

  const schema = await call(g.alice, 'athena_table_schema', { catalog, database: 'quilt-example', table: table!.name })
  const columns = dataOf<{ columns: Array<{ name: string, type: string }> }>(schema).columns
  t.same(columns.slice(0, 5), [{ name: 'plate', type: 'string', comment: null }, { name: 'well', type: 'string', comment: null }, { name: 'cell_count', type: 'int', comment: null }, { name: 'mean_intensity', type: 'float', comment: null }, { name: 'study', type: 'string', comment: null }])
  t.ok(columns.some((c) => c.name === '$pkg_name'), 'tabulator\'s source columns too')
  t.equal(table?.columns, columns.length)
  t.match(textOf(schema), `Example: SELECT "plate", "well", "cell_count" FROM "${catalog}"."quilt-example"."wellplates_summary" LIMIT 10`)

  const workgroups = await call(g.alice, 'athena_workgroups_list')
  t.same(dataOf<{ workgroups: Array<{ name: string }> }>(workgroups).workgroups.map((w) => w.name), ['primary', 'QuiltUsers'], 'enabled ones only')

  // The query the model writes from what it was shown.
  const sql = `SELECT ${columns.slice(0, 3).map((c) => `"${c.name}"`).join(', ')} FROM "quilt-example"."${table!.name}" LIMIT 5`
  const rows = await call(g.alice, 'athena_query', { sql, catalog, workgroup: 'QuiltUsers' })
  t.notOk(rows.isError, textOf(rows))
  t.equal(dataOf<{ rows: unknown[] }>(rows).rows.length, 5)
  const start = g.athena.calls.find((c) => c.operation === 'StartQueryExecution')
  t.same(start?.body.QueryExecutionContext, { Catalog: catalog }, 'athena_query passes the catalog')
  for (const operation of ['ListDatabases', 'ListTableMetadata', 'GetTableMetadata', 'ListWorkGroups']) {
    t.ok(g.athena.calls.some((c) => c.operation === operation), `${operation} was called`)
  }
})

t.test('another user\'s tables are refused with their own credentials', async (t) => {
  const g = await sdkGateway(t)
  const bobsDatabases = dataOf<{ databases: Array<{ name: string }> }>(await call(g.bob, 'athena_databases_list', { catalog: TABULATOR_CATALOG })).databases
  t.notOk(bobsDatabases.some((d) => d.name === 'quilt-example'), 'bob does not see alice\'s bucket')
  for (const [tool, args] of [['athena_tables_list', { database: 'quilt-example' }], ['athena_table_schema', { database: 'quilt-example', table: 'wellplates_summary' }]] as const) {
    const refused = await call(g.bob, tool, { ...args, catalog: TABULATOR_CATALOG })
    t.ok(refused.isError, tool)
    t.match(textOf(refused), /Athena refused the query for your role: You are not authorized to access database quilt-example/)
  }
  const query = await call(g.bob, 'athena_query', { sql: 'SELECT * FROM wellplates_summary', catalog: TABULATOR_CATALOG })
  t.match(textOf(query), /TABLE_NOT_FOUND/)
})

t.test('bad inputs: missing arguments, unknown names, a filter, a page cursor', async (t) => {
  const g = await sdkGateway(t)
  const missing = await call(g.alice, 'athena_tables_list', {})
  t.ok(missing.isError)
  t.match(textOf(missing), /Invalid arguments for tool athena_tables_list: database/)
  const injected = await call(g.alice, 'athena_table_schema', { database: 'quilt-example"; DROP', table: 'x' })
  t.match(textOf(injected), /Invalid arguments.*letters, digits/)
  const unknownTable = await call(g.alice, 'athena_table_schema', { catalog: TABULATOR_CATALOG, database: 'quilt-example', table: 'nope' })
  t.ok(unknownTable.isError)
  t.match(textOf(unknownTable), /Athena rejected the request: Table nope not found in quilt-example/)
  const unknownCatalog = await call(g.alice, 'athena_databases_list', { catalog: 'nowhere' })
  t.match(textOf(unknownCatalog), /Athena rejected the request: Catalog nowhere not found/)
  const filtered = await call(g.alice, 'athena_tables_list', { catalog: TABULATOR_CATALOG, database: 'quilt-example', pattern: 'nothing*' })
  t.notOk(filtered.isError)
  t.match(textOf(filtered), /No tables in .* matching "nothing\*" \(an empty result, not an error\)/)
  t.equal(g.athena.calls.find((c) => c.operation === 'ListTableMetadata' && c.body.Expression === 'nothing*')?.body.MaxResults, 50, 'bounded pages')
})
