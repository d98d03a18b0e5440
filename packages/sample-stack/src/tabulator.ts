import { parse as parseYaml } from 'yaml'
import type { TenantData } from './data.js'
import type { TabulatorTableData } from './records.js'

export type { TabulatorTableData }
import { invalidInput, operationError, type InputErrorData } from './resolver-kit.js'

/** Tabulator tables per bucket the demo starts with: the summary.csv of the wellplates packages. */
export const SAMPLE_TABULATOR_TABLES: Record<string, TabulatorTableData[]> = {
  'quilt-example': [{
    name: 'wellplates_summary',
    config: [
      'schema:',
      '- name: plate',
      '  type: STRING',
      '- name: well',
      '  type: STRING',
      '- name: cell_count',
      '  type: INT',
      '- name: mean_intensity',
      '  type: FLOAT',
      'source:',
      '  type: quilt-packages',
      '  package_name: ^examples/(?<study>wellplates)$',
      '  logical_key: data/summary\\.csv$',
      'parser:',
      '  format: csv',
      '  delimiter: ","',
      '  header: true',
      ''
    ].join('\n')
  }]
}

/** The tenant's tables per bucket (mutations change them in place). */
export function tabulatorTablesOf (tenant: TenantData): Record<string, TabulatorTableData[]> {
  tenant.tabulatorTables ??= Object.fromEntries(tenant.buckets.map((b) => [b.name, structuredClone(SAMPLE_TABULATOR_TABLES[b.name] ?? [])]))
  return tenant.tabulatorTables
}

// As Quilt documents tabulator configs (docs/advanced-features/tabulator.md): lower-case column names,
// Athena column types, one source type, csv or parquet.
const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/
const COLUMN_TYPES = ['BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL', 'STRING', 'BINARY', 'DATE', 'TIMESTAMP']
/** Source columns every tabulator table has besides its configured ones. */
const SOURCE_COLUMNS = ['$pkg_name', '$logical_key', '$physical_key', '$top_hash', '$issue']

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Tabulator's regexes (Rust) take `(?P<name>` and `(?<name>`; JavaScript only the second. */
function regexProblem (value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'must be a regular expression'
  try {
    return new RegExp(value.replaceAll('(?P<', '(?<')) instanceof RegExp ? undefined : 'is not a regular expression'
  } catch (err) {
    return `is not a valid regular expression (${err instanceof Error ? err.message : String(err)})`
  }
}

/** What the registry says is wrong with a table config, one message per problem; empty when valid. */
function tabulatorConfigProblems (text: string): string[] {
  let config: unknown
  try {
    config = parseYaml(text)
  } catch (err) {
    return [`invalid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`]
  }
  if (!isRecord(config)) return ['must be a YAML mapping with schema, source and parser']
  const problems: string[] = []
  const { schema, source, parser } = config
  if (!Array.isArray(schema) || schema.length === 0) problems.push('schema: required, a list of columns ({name, type})')
  else {
    schema.forEach((column: unknown, i) => {
      if (!isRecord(column)) return problems.push(`schema[${i}]: must be {name, type}`)
      if (typeof column.name !== 'string' || !COLUMN_NAME.test(column.name)) problems.push(`schema[${i}].name: must match ${COLUMN_NAME.source}`)
      if (typeof column.type !== 'string' || !COLUMN_TYPES.includes(column.type.toUpperCase())) problems.push(`schema[${i}].type: must be one of ${COLUMN_TYPES.join(', ')}`)
    })
  }
  if (!isRecord(source)) problems.push('source: required, {type: quilt-packages, package_name, logical_key}')
  else {
    if (source.type !== 'quilt-packages') problems.push('source.type: must be quilt-packages')
    for (const field of ['package_name', 'logical_key'] as const) {
      const problem = regexProblem(source[field])
      if (problem !== undefined) problems.push(`source.${field}: ${problem}`)
    }
  }
  if (!isRecord(parser)) problems.push('parser: required, {format: csv | parquet}')
  else {
    if (parser.format !== 'csv' && parser.format !== 'parquet') problems.push('parser.format: must be csv or parquet')
    if (parser.delimiter !== undefined && (typeof parser.delimiter !== 'string' || parser.delimiter.length !== 1)) problems.push('parser.delimiter: must be one character')
    if (parser.header !== undefined && typeof parser.header !== 'boolean') problems.push('parser.header: must be true or false')
  }
  if (config.continue_on_error !== undefined && typeof config.continue_on_error !== 'boolean') problems.push('continue_on_error: must be true or false')
  return problems
}

/**
 * The table's columns as Athena shows them: the configured ones (types lower-cased, as Athena
 * writes them), then the named groups of the source regexes, then the source columns.
 */
export function tabulatorColumns (configText: string): Array<{ name: string, type: string }> {
  const config: unknown = parseYaml(configText)
  if (!isRecord(config)) return []
  const schema = Array.isArray(config.schema) ? config.schema.filter(isRecord) : []
  const source = isRecord(config.source) ? config.source : {}
  const groups = [source.package_name, source.logical_key]
    .flatMap((pattern) => typeof pattern === 'string' ? [...pattern.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!) : [])
  return [
    ...schema.map((c) => ({ name: String(c.name), type: String(c.type).toLowerCase() })),
    ...groups.map((name) => ({ name, type: 'string' })),
    ...SOURCE_COLUMNS.map((name) => ({ name, type: 'string' }))
  ]
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/

/**
 * `bucketSetTabulatorTable` and `bucketRenameTabulatorTable` for one tenant: the registry validates the
 * config and names, answering InvalidInput with what is wrong; `config: null` deletes the table.
 * `bucketView` turns the bucket into the BucketConfig the mutation returns.
 */
export function tabulatorMutations (tenant: TenantData, bucketView: (name: string) => object | null) {
  const tables = (bucket: string) => {
    const all = tabulatorTablesOf(tenant)
    all[bucket] ??= []
    return all[bucket]
  }
  const refuse = (errors: InputErrorData[]) => invalidInput(errors)
  return {
    bucketSetTabulatorTable ({ bucketName, tableName, config }: { bucketName: string, tableName: string, config?: string | null }) {
      const view = bucketView(bucketName)
      if (view === null) return operationError('BucketNotFound', `Bucket ${bucketName} not found`)
      if (!TABLE_NAME.test(tableName)) return refuse([{ path: 'tableName', name: 'ValidationError', message: `table name must match ${TABLE_NAME.source}` }])
      const list = tables(bucketName)
      const existing = list.findIndex((t) => t.name === tableName)
      if (config === null || config === undefined) {
        if (existing !== -1) list.splice(existing, 1)
        return bucketView(bucketName)
      }
      const problems = tabulatorConfigProblems(config)
      if (problems.length > 0) return refuse(problems.map((message) => ({ path: 'config', name: 'ValidationError', message })))
      if (existing === -1) list.push({ name: tableName, config })
      else list[existing] = { name: tableName, config }
      return bucketView(bucketName)
    },
    bucketRenameTabulatorTable ({ bucketName, tableName, newTableName }: { bucketName: string, tableName: string, newTableName: string }) {
      if (bucketView(bucketName) === null) return operationError('BucketNotFound', `Bucket ${bucketName} not found`)
      const list = tables(bucketName)
      const table = list.find((t) => t.name === tableName)
      if (table === undefined) return refuse([{ path: 'tableName', name: 'NotFound', message: `no table named ${tableName}` }])
      if (!TABLE_NAME.test(newTableName)) return refuse([{ path: 'newTableName', name: 'ValidationError', message: `table name must match ${TABLE_NAME.source}` }])
      if (list.some((t) => t.name === newTableName)) return refuse([{ path: 'newTableName', name: 'Conflict', message: `a table named ${newTableName} already exists` }])
      table.name = newTableName
      return bucketView(bucketName)
    }
  }
}
