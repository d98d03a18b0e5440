import type { IssuedCredentials } from './credentials.js'
import type { TenantData } from './data.js'
import { SAMPLE_TABULATOR_TABLES, tabulatorColumns, tabulatorTablesOf, type TabulatorTableData } from './tabulator.js'

/** The stack's tabulator data catalog: one database per bucket, one table per tabulator table. */
export const TABULATOR_CATALOG = 'quilt-sample-tabulator'
const DEFAULT_CATALOG = 'AwsDataCatalog'

const WORKGROUPS = [
  { Name: 'primary', State: 'ENABLED', Description: 'The account\'s default workgroup' },
  { Name: 'QuiltUsers', State: 'ENABLED', Description: 'The stack\'s workgroup for catalog users' },
  { Name: 'retired', State: 'DISABLED', Description: 'No longer used' }
]

export interface AthenaAnswer { status: number, body: unknown }

const ok = (body: unknown): AthenaAnswer => ({ status: 200, body })
const fail = (type: string, message: string): AthenaAnswer => ({ status: 400, body: { __type: type, Message: message } })

/** The tables a caller can see, per bucket: their tenant's tabulator tables for the buckets their role reads. */
export function visibleTables (issued: IssuedCredentials, tenants: Record<string, TenantData> | undefined): Map<string, TabulatorTableData[]> {
  const tenant = tenants !== undefined && Object.hasOwn(tenants, issued.catalogToken) ? tenants[issued.catalogToken] : undefined
  const byBucket = tenant === undefined ? SAMPLE_TABULATOR_TABLES : tabulatorTablesOf(tenant)
  return new Map([...issued.buckets].map((bucket) => [bucket, byBucket[bucket] ?? []]))
}

function tableMetadata (bucket: string, table: TabulatorTableData) {
  const columns = tabulatorColumns(table.config).map((c) => ({ Name: c.name, Type: c.type }))
  return { Name: table.name, TableType: 'EXTERNAL_TABLE', Columns: columns, PartitionKeys: [], Parameters: { location: `s3://${bucket}/.quilt/packages/` } }
}

/** Athena's Expression: a pattern on table names where `*` matches any run of characters. */
const matches = (expression: unknown, name: string) => typeof expression !== 'string' ||
  new RegExp(`^${expression.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(name)

/** A page of `items` from the NextToken offset, with the next token when more remain. */
function paged<T> (items: T[], body: Record<string, unknown>, max: number) {
  const start = Number(body.NextToken ?? 0)
  const size = Math.min(Number(body.MaxResults ?? max), max)
  return { page: items.slice(start, start + size), next: start + size < items.length ? String(start + size) : undefined }
}

/** Answers Athena's catalog calls (ListDataCatalogs, ListDatabases, ListTableMetadata, GetTableMetadata, ListWorkGroups). */
export function answerCatalogCall (operation: string, body: Record<string, unknown>, tables: Map<string, TabulatorTableData[]>): AthenaAnswer | undefined {
  const catalog = String(body.CatalogName ?? DEFAULT_CATALOG)
  const knownCatalog = catalog === DEFAULT_CATALOG || catalog === TABULATOR_CATALOG
  const database = String(body.DatabaseName ?? '')
  const databaseTables = (): TabulatorTableData[] | AthenaAnswer => {
    if (!knownCatalog) return fail('MetadataException', `Catalog ${catalog} not found`)
    if (catalog === DEFAULT_CATALOG) return database === 'default' ? [] : fail('MetadataException', `Database ${database} not found`)
    return tables.get(database) ?? fail('AccessDeniedException', `You are not authorized to access database ${database}`)
  }
  switch (operation) {
    case 'ListDataCatalogs':
      return ok({ DataCatalogsSummary: [{ CatalogName: DEFAULT_CATALOG, Type: 'GLUE' }, { CatalogName: TABULATOR_CATALOG, Type: 'LAMBDA' }] })
    case 'ListDatabases': {
      if (!knownCatalog) return fail('MetadataException', `Catalog ${catalog} not found`)
      const names = catalog === DEFAULT_CATALOG ? ['default'] : [...tables.keys()].sort()
      const { page, next } = paged(names, body, 50)
      return ok({ DatabaseList: page.map((Name) => ({ Name })), ...(next === undefined ? {} : { NextToken: next }) })
    }
    case 'ListTableMetadata': {
      const found = databaseTables()
      if (!Array.isArray(found)) return found
      const { page, next } = paged(found.filter((t) => matches(body.Expression, t.name)), body, 50)
      return ok({ TableMetadataList: page.map((t) => tableMetadata(database, t)), ...(next === undefined ? {} : { NextToken: next }) })
    }
    case 'GetTableMetadata': {
      const found = databaseTables()
      if (!Array.isArray(found)) return found
      const table = found.find((t) => t.name === String(body.TableName))
      return table === undefined ? fail('MetadataException', `Table ${String(body.TableName)} not found in ${database}`) : ok({ TableMetadata: tableMetadata(database, table) })
    }
    case 'ListWorkGroups': {
      const { page, next } = paged(WORKGROUPS, body, 50)
      return ok({ WorkGroups: page, ...(next === undefined ? {} : { NextToken: next }) })
    }
    default:
      return undefined
  }
}
