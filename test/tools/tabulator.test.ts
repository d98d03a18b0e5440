import { TABULATOR_CATALOG } from '../../packages/sample-stack/src/sample-athena-catalog.js'
import { capabilitiesOf } from '../helpers/eras.js'
import { forEachEra } from './harness.js'
import { call, dataOf, sdkGateway, textOf } from './sdk-gateway.js'

const CONFIG = `schema:
- name: sample_id
  type: STRING
- name: reads
  type: BIGINT
source:
  type: quilt-packages
  package_name: ^genomics/(?<run>[^/]+)$
  logical_key: qc/(?P<lane>[^/]+)\\.csv$
parser:
  format: csv
  header: true
`

const tableNames = async (client: Parameters<typeof call>[0], bucket: string) =>
  dataOf<{ tables: Array<{ name: string }> }>(await call(client, 'tabulator_tables_list', { bucket })).tables.map((table) => table.name)

forEachEra((t, era) => {
  const topLevel = capabilitiesOf(era).topLevelTabulatorMutations

  t.test('set, rename and delete a table; the sample Athena serves it; the shape fits the era', async (t) => {
    const g = await sdkGateway(t, { era })
    // bob is an admin (needed before 2026-04-22); his bucket globex-genomics has no tables yet.
    const set = await call(g.bob, 'tabulator_table_set', { bucket: 's3://globex-genomics', table_name: 'qc_reads', config: CONFIG })
    t.notOk(set.isError, textOf(set))
    t.same(await tableNames(g.bob, 'globex-genomics'), ['qc_reads'])
    const sent = g.registry.requests.find((r) => r.operationName === 'TabulatorTableSet')
    t.equal(/\badmin\s*\{/.test(sent?.query ?? ''), !topLevel, topLevel ? 'top-level mutation' : 'under admin, as this era has it')

    const schema = await call(g.bob, 'athena_table_schema', { catalog: TABULATOR_CATALOG, database: 'globex-genomics', table: 'qc_reads' })
    t.same(dataOf<{ columns: Array<{ name: string }> }>(schema).columns.slice(0, 4).map((c) => c.name), ['sample_id', 'reads', 'run', 'lane'])

    const replaced = await call(g.bob, 'tabulator_table_set', { bucket: 'globex-genomics', table_name: 'qc_reads', config: CONFIG.replace('BIGINT', 'INT') })
    t.notOk(replaced.isError, 'setting again replaces')
    const renamed = await call(g.bob, 'tabulator_table_rename', { bucket: 'globex-genomics', table_name: 'qc_reads', new_name: 'lane_reads' })
    t.notOk(renamed.isError, textOf(renamed))
    t.same(await tableNames(g.bob, 'globex-genomics'), ['lane_reads'])
    const clash = await call(g.bob, 'tabulator_table_rename', { bucket: 'globex-genomics', table_name: 'nope', new_name: 'x' })
    t.match(textOf(clash), /The registry rejected the input of TabulatorTableRename: tableName: no table named nope/)
    const deleted = await call(g.bob, 'tabulator_table_delete', { bucket: 'globex-genomics', table_name: 'lane_reads' })
    t.notOk(deleted.isError, textOf(deleted))
    t.same(await tableNames(g.bob, 'globex-genomics'), [])
    t.equal(g.registry.requests.filter((r) => r.operationName === 'TabulatorTableSet').at(-1)?.variables?.config, null, 'delete sends config null')
  })

  t.test('an invalid config comes back with the registry\'s validation message', async (t) => {
    const g = await sdkGateway(t, { era })
    const bad = await call(g.bob, 'tabulator_table_set', {
      bucket: 'globex-genomics', table_name: 'qc_reads', config: CONFIG.replace('name: reads', 'name: Reads').replace('format: csv', 'format: xlsx')
    })
    t.ok(bad.isError)
    t.match(textOf(bad), /The registry rejected the input of TabulatorTableSet: config: schema\[1\]\.name: must match .*; config: parser\.format: must be csv or parquet/)
    const notYaml = await call(g.bob, 'tabulator_table_set', { bucket: 'globex-genomics', table_name: 'qc_reads', config: 'schema: [unclosed' })
    t.match(textOf(notYaml), /config: invalid YAML/)
    const blank = await call(g.bob, 'tabulator_table_set', { bucket: 'globex-genomics', table_name: 'qc_reads', config: '  ' })
    t.match(textOf(blank), /Invalid arguments for tool tabulator_table_set: config: the table's YAML config is required/)
    const missing = await call(g.bob, 'tabulator_table_rename', { bucket: 'globex-genomics', table_name: 'qc_reads' })
    t.match(textOf(missing), /Invalid arguments for tool tabulator_table_rename: new_name/)
    t.same(await tableNames(g.bob, 'globex-genomics'), [], 'nothing was saved')
  })

  t.test('a non-admin, and another user\'s bucket', async (t) => {
    const g = await sdkGateway(t, { era })
    const before = g.registry.requests.length
    const alice = await call(g.alice, 'tabulator_table_set', { bucket: 'quilt-example', table_name: 'plates_copy', config: CONFIG })
    if (topLevel) {
      t.notOk(alice.isError, 'the registry lets a bucket\'s user set its tables on this era')
      t.ok((await tableNames(g.alice, 'quilt-example')).includes('plates_copy'))
    } else {
      t.ok(alice.isError)
      t.match(textOf(alice), /only catalog administrators change tabulator tables.*Nothing was sent/)
      t.notOk(g.registry.requests.slice(before).some((r) => r.operationName === 'TabulatorTableSet'), 'no mutation was sent')
    }
    const foreign = await call(g.bob, 'tabulator_table_delete', { bucket: 'quilt-example', table_name: 'wellplates_summary' })
    t.ok(foreign.isError, 'bob cannot delete alice\'s table')
    t.match(textOf(foreign), /Bucket quilt-example not found/)
    t.ok((await tableNames(g.alice, 'quilt-example')).includes('wellplates_summary'))
  })
})
