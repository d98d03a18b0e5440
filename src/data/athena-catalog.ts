import {
  GetTableMetadataCommand, ListDatabasesCommand, ListDataCatalogsCommand, ListTableMetadataCommand, ListWorkGroupsCommand,
  type Column, type TableMetadata
} from '@aws-sdk/client-athena'
import { athenaFailure } from './athena.js'
import type { DataAccess } from './data-access.js'

// What a model needs to write SQL without guessing: Athena's own catalog calls, with the caller's
// credentials (their IAM role and Lake Formation grants decide what they see), every answer bounded.

export const DEFAULT_CATALOG = 'AwsDataCatalog'
/** Most databases, workgroups or catalogs gathered (a few pages); more is said, not listed. */
const MAX_LISTED = 200
/** Tables per page of athena_tables_list (Athena's own maximum). */
export const TABLES_PER_PAGE = 50
/** Columns shown per table; wider tables are cut with a note. */
export const MAX_COLUMNS = 500

interface ColumnInfo { name: string, type: string | null, comment: string | null }

const columnsOf = (columns: Column[] | undefined): ColumnInfo[] =>
  (columns ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? null, comment: c.Comment ?? null }))

/** Gathers pages until `max` items or the end; `truncated` says more exist. */
async function gather<T> (max: number, page: (token: string | undefined) => Promise<{ items: T[], next: string | undefined }>) {
  const items: T[] = []
  let token: string | undefined
  do {
    const answer = await page(token)
    items.push(...answer.items)
    token = answer.next
  } while (token !== undefined && items.length < max)
  return { items: items.slice(0, max), truncated: token !== undefined || items.length > max }
}

export function listDatabases (access: DataAccess, catalog: string) {
  return access.athena(athenaFailure, (client) => gather(MAX_LISTED, async (token) => {
    const answer = await client.send(new ListDatabasesCommand({ CatalogName: catalog, NextToken: token, MaxResults: 50 }), { abortSignal: access.callSignal() })
    return { items: (answer.DatabaseList ?? []).map((d) => ({ name: d.Name ?? '', description: d.Description ?? null })), next: answer.NextToken }
  }))
}

/** The account's data catalogs (the stack's tabulator catalog among them); empty when the role may not list them. */
export async function listDataCatalogs (access: DataAccess): Promise<Array<{ name: string, type: string | null }>> {
  try {
    return await access.athena(athenaFailure, async (client) => {
      const answer = await client.send(new ListDataCatalogsCommand({ MaxResults: 50 }), { abortSignal: access.callSignal() })
      return (answer.DataCatalogsSummary ?? []).map((c) => ({ name: c.CatalogName ?? '', type: c.Type ?? null }))
    })
  } catch {
    // A hint only: a role without athena:ListDataCatalogs still gets its databases.
    return []
  }
}

export function listTables (access: DataAccess, query: { catalog: string, database: string, pattern?: string, cursor?: string }) {
  return access.athena(athenaFailure, async (client) => {
    const answer = await client.send(new ListTableMetadataCommand({
      CatalogName: query.catalog, DatabaseName: query.database, Expression: query.pattern, NextToken: query.cursor, MaxResults: TABLES_PER_PAGE
    }), { abortSignal: access.callSignal() })
    return {
      tables: (answer.TableMetadataList ?? []).map((t) => ({ name: t.Name ?? '', type: t.TableType ?? null, columns: (t.Columns ?? []).length, partition_keys: (t.PartitionKeys ?? []).length })),
      cursor: answer.NextToken ?? null
    }
  })
}

function describeTable (table: TableMetadata | undefined) {
  const columns = columnsOf(table?.Columns)
  return {
    name: table?.Name ?? '',
    type: table?.TableType ?? null,
    columns: columns.slice(0, MAX_COLUMNS),
    columns_total: columns.length,
    partition_keys: columnsOf(table?.PartitionKeys),
    location: table?.Parameters?.location ?? null
  }
}

export function getTableSchema (access: DataAccess, query: { catalog: string, database: string, table: string }) {
  return access.athena(athenaFailure, async (client) => {
    const answer = await client.send(new GetTableMetadataCommand({ CatalogName: query.catalog, DatabaseName: query.database, TableName: query.table }), { abortSignal: access.callSignal() })
    return describeTable(answer.TableMetadata)
  })
}

export function listWorkgroups (access: DataAccess) {
  return access.athena(athenaFailure, (client) => gather(MAX_LISTED, async (token) => {
    const answer = await client.send(new ListWorkGroupsCommand({ NextToken: token, MaxResults: 50 }), { abortSignal: access.callSignal() })
    const enabled = (answer.WorkGroups ?? []).filter((w) => w.State === 'ENABLED')
    return { items: enabled.map((w) => ({ name: w.Name ?? '', description: w.Description ?? null })), next: answer.NextToken }
  }))
}
